import * as pulumi from "@pulumi/pulumi";
import { isIpv4 } from "../../config/cidr";
import { RemoteHost } from "../remote/remoteHost";
import { MANAGED_BY_FILTER } from "../labels";
import { DOCKER_SOURCES, HOST_DATA_DIR } from "../remote/hostFiles";
import { managerCount, SWARM_ENDPOINT_MODES } from "../remote/swarm";
import type { ConfigReader } from "../../config/reader";
import type { TargetModule } from "../target";
import { hostKeyFingerprint, howToPinHostKey, pinnedHostKey, scannedMachine } from "./hostKey";
import { sshMachine, type SshAddress, type SshSettings } from "./sshMachine";

export type { SshSettings } from "./sshMachine";

/** A DNS name (RFC 1123 labels) or an IPv4 address. */
function isHostName(value: string): boolean {
  return isIpv4(value) || (value.length <= 253 && value.split(".").every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)));
}

/**
 * sshSwarmHosts: the other machines of a swarm, each as ssh-keyscan prints
 * it (its host, then its key), on sshPort, none twice nor sshHost again.
 */
function readSwarmHosts(reader: ConfigReader, first: string, port: number): SshAddress[] {
  const seen = new Set([first]);
  const howToAdd = `\`ssh-keyscan -t ed25519${port === 22 ? "" : ` -p ${port}`} <host> 2>/dev/null\` prints it; compare its fingerprint (\`ssh-keygen -lf\` of that line) with the one the machine itself shows before adding it, as for sshHostKey`;
  return reader.stringList("sshSwarmHosts").flatMap((entry) => {
    const scanned = scannedMachine(entry);
    const problem =
      scanned === undefined || !isHostName(scanned.host) ? `a machine as ssh-keyscan prints it, "<host> ssh-ed25519 AAAA..." (its IPv4 address or DNS name, then its SSH host key): ${howToAdd}`
      : (scanned.port ?? 22) !== port ? `a machine on sshPort (${port}): every machine is reached on the same port`
      : seen.has(scanned.host) ? `a machine other than sshHost and the other entries (${scanned.host} is there already)`
      : undefined;
    reader.check(problem === undefined, "sshSwarmHosts", entry, problem ?? "");
    if (problem !== undefined || scanned === undefined) return [];
    seen.add(scanned.host);
    return [{ host: scanned.host, hostKey: scanned.hostKey }];
  });
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
      swarmHosts: readSwarmHosts(reader, host, port),
      endpointMode: reader.choice("swarmEndpointMode", SWARM_ENDPOINT_MODES),
    };
  },
  pushesImages: true,
  leftOnMachine: `on the machine: the data volumes (there: docker volume ls --filter label=${MANAGED_BY_FILTER}, then docker volume rm), the labs' files in ${HOST_DATA_DIR}, and what the bootstrap installed`,
  createHost(name, settings, { buildEngine, registry }) {
    const machines = [settings, ...settings.swarmHosts];
    const trusted = machines.map((machine) => `${machine.host} presenting the host key ${hostKeyFingerprint(machine.hostKey)}`).join(", ");
    pulumi.log.info(`ssh target: only ${trusted} ${machines.length === 1 ? "is" : "are"} trusted`);
    if (machines.length > 1) pulumi.log.info(`ssh target: a swarm of ${machines.length} machines, ${managerCount(machines.length)} manager(s), ${settings.endpointMode} endpoints`);
    const registryCa = registry.ca;
    return new RemoteHost(name, {
      buildEngine,
      registry,
      machines: (parent) => ({
        first: sshMachine(name, { settings, registryCa }, parent),
        members: settings.swarmHosts.map((machine) => ({ key: machine.host, machine: sshMachine(`${name}-${machine.host}`, { settings, machine, registryCa }, parent) })),
      }),
      endpointMode: settings.endpointMode,
    });
  },
};
