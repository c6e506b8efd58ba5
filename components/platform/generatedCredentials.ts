/**
 * Credentials made once and kept in the stack's state: random secrets
 * (database passwords, the JWT secret, the loader token) and an RSA key pair
 * (the notifications group token's). Dynamic providers of ours rather than
 * @pulumi/random and @pulumi/tls, so a stack needs neither plugin; every
 * private value is an additional secret output, encrypted in state.
 *
 * Pulumi serializes the providers' functions into the plugin process that
 * runs them, so they reach Node's modules through `require` at run time.
 */
import * as pulumi from "@pulumi/pulumi";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Made once; a changed input makes a new one (a replacement). */
function replaceOnChange<T extends object>(keys: Array<keyof T & string>) {
  return async (_id: string, olds: T, news: T) => {
    const replaces = keys.filter((key) => olds[key] !== news[key]);
    return { changes: replaces.length > 0, replaces };
  };
}

const secretProvider: pulumi.dynamic.ResourceProvider = {
  diff: replaceOnChange<{ length: number }>(["length"]),
  async create(inputs: { length: number }) {
    const { randomInt, randomUUID } = require("node:crypto") as typeof import("node:crypto");
    // randomInt draws uniformly, so every character carries log2(62) bits.
    const result = Array.from({ length: inputs.length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join("");
    return { id: randomUUID(), outs: { length: inputs.length, result } };
  },
};

/** `length` random letters and digits, as `result` (a secret). */
export class GeneratedSecret extends pulumi.dynamic.Resource {
  declare readonly result: pulumi.Output<string>;

  constructor(name: string, args: { length: number }, opts?: pulumi.CustomResourceOptions) {
    super(secretProvider, name, { length: args.length, result: undefined }, { ...opts, additionalSecretOutputs: ["result"] }, "container-labs", "GeneratedSecret");
  }
}

const keyPairProvider: pulumi.dynamic.ResourceProvider = {
  diff: replaceOnChange<{ bits: number }>(["bits"]),
  async create(inputs: { bits: number }) {
    const { generateKeyPairSync, randomUUID } = require("node:crypto") as typeof import("node:crypto");
    const { privateKey, publicKey } = generateKeyPairSync("rsa", {
      modulusLength: inputs.bits,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    return { id: randomUUID(), outs: { bits: inputs.bits, privateKeyPem: privateKey, publicKeyPem: publicKey } };
  },
};

/** An RSA key pair in PEM: `privateKeyPem` (PKCS#8, a secret) and `publicKeyPem` (SPKI). */
export class GeneratedKeyPair extends pulumi.dynamic.Resource {
  declare readonly privateKeyPem: pulumi.Output<string>;
  declare readonly publicKeyPem: pulumi.Output<string>;

  constructor(name: string, args: { bits: number }, opts?: pulumi.CustomResourceOptions) {
    super(keyPairProvider, name, { bits: args.bits, privateKeyPem: undefined, publicKeyPem: undefined }, { ...opts, additionalSecretOutputs: ["privateKeyPem"] }, "container-labs", "GeneratedKeyPair");
  }
}
