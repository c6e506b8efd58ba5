// The floor of `npm run bench deploy`: `resources` ECDSA keys of the tls
// provider, a plugin the Pulumi toolchain builds anyway, whose create, read
// and diff are local and take microseconds.
const pulumi = require("@pulumi/pulumi");
const tls = require("@pulumi/tls");

const config = new pulumi.Config();
const count = config.requireNumber("resources");
for (let i = 0; i < count; i++) {
  new tls.PrivateKey(`key-${i}`, { algorithm: "ECDSA", ecdsaCurve: "P256" });
}
