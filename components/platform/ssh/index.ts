import * as pulumi from "@pulumi/pulumi";
import { isIpv4 } from "../../config/cidr";
import { RemoteHost } from "../remote/remoteHost";
import { MANAGED_BY_FILTER } from "../labels";
import { DOCKER_SOURCES, HOST_DATA_DIR } from "../remote/hostFiles";
import type { TargetModule } from "../target";
import { hostKeyFingerprint, howToPinHostKey, pinnedHostKey } from "./hostKey";
import { sshMachine, type SshSettings } from "./sshMachine";

export type { SshSettings } from "./sshMachine";

/** A DNS name (RFC 1123 labels) or an IPv4 address. */
function isHostName(value: string): boolean {
  return isIpv4(value) || (value.length <= 253 && value.split(".").every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)));
}

const PRIVATE_KEY = /^-----BEGIN (?:OPENSSH |RSA |EC |)PRIVATE KEY-----[\s\S]+-----END (?:OPENSSH |RSA |EC |)PRIVATE KEY-----\s*$/;

/** target ssh: a Linux machine the user already has, bootstrapped over SSH with EC2's scripts. */
export const ssh: TargetModule<SshSettings> = {
  readSettings(reader) {
    const host = reader.optionalString("sshHost") ?? "";
    reader.check(isHostName(host), "sshHost", host, "the machine's IPv4 address or DNS name, required on the ssh target");
    const user = reader.optionalString("sshUser") ?? "";
    reader.check(/^[a-z_][a-z0-9_-]*\$?$/i.test(user), "sshUser", user, "the login user on the machine (a user with passwordless sudo), required on the ssh target");
    const port = reader.integer("sshPort", 1, 65535);
    const hostKeyLine = reader.optionalString("sshHostKey") ?? "";
    // Pinned as "<type> <base64>", whichever form was given (ssh-keyscan's line starts with the host).
    const hostKey = pinnedHostKey(hostKeyLine);
    reader.check(hostKey !== undefined, "sshHostKey", hostKeyLine, howToPinHostKey(host, port));
    const privateKey = reader.secret("sshPrivateKey", (value) =>
      PRIVATE_KEY.test(value.trim()) ? undefined : "a private key in OpenSSH or PEM form, unencrypted (ssh-keygen -t ed25519 -N \"\"): set it from its file with `npm run pulumi -- config set --secret sshPrivateKey < ~/.ssh/<key>`",
    );
    reader.check(privateKey !== undefined, "sshPrivateKey", undefined, "required on the ssh target: the login key, set from its file with `npm run pulumi -- config set --secret sshPrivateKey < ~/.ssh/<key>`");
    return {
      host,
      port,
      user,
      privateKey: privateKey ?? pulumi.secret(""),
      hostKey: hostKey ?? "",
      dockerSource: reader.choice("sshDockerSource", DOCKER_SOURCES),
    };
  },
  pushesImages: true,
  leftOnMachine: `on the machine: the data volumes (there: docker volume ls --filter label=${MANAGED_BY_FILTER}, then docker volume rm), the labs' files in ${HOST_DATA_DIR}, and what the bootstrap installed`,
  createHost(name, settings, { buildEngine, registry }) {
    pulumi.log.info(`ssh target: only ${settings.host} presenting the host key ${hostKeyFingerprint(settings.hostKey)} is trusted`);
    return new RemoteHost(name, { buildEngine, registry, machine: (parent) => sshMachine(name, { settings, registryCa: registry.ca }, parent) });
  },
};
