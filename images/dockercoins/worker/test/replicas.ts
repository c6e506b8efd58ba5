/**
 * Several processes of one service behind one name, as Docker runs a
 * service's replicas behind its network alias. Each replica listens on
 * 127.0.0.1 at a port of its own; a TCP forwarder gives it an address of its
 * own (127.0.0.x, all loopback on Linux) on a port the replicas share, the
 * way each container has its own IP on the lab network. A client process
 * started with `hostsEnv()` resolves the name to those addresses
 * (support/hosts-preload.js).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forwardTcp, freePort, type ServiceProcess, type TcpForwarder } from "@container-labs/test-kit";
import { readMetric, startLabService } from "../../test/lab";

const PRELOAD = join(__dirname, "support", "hosts-preload.js");

/** The names a test defines, in the file the preload reads at every lookup. */
export class TestHosts {
  private readonly dir = mkdtempSync(join(tmpdir(), "test-hosts-"));
  readonly file = join(this.dir, "hosts.json");
  private readonly names: Record<string, string[]> = {};

  constructor() {
    this.write();
  }

  set(name: string, addresses: string[]): void {
    this.names[name] = addresses;
    this.write();
  }

  /** The environment that makes a service process resolve these names. */
  env(): Record<string, string> {
    return { NODE_OPTIONS: `--require ${PRELOAD}`, TEST_HOSTS_FILE: this.file };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private write(): void {
    writeFileSync(this.file, JSON.stringify(this.names));
  }
}

export interface Replicas {
  /** The service's URL by name, as the workers are given `http://rng`. */
  url: string;
  processes: ServiceProcess[];
  /** Starts one more replica and adds its address to the name. */
  add(): Promise<void>;
  /** What each replica has served so far (`<service>_served_total`), in start order. */
  served(): Promise<number[]>;
  stop(): Promise<void>;
}

/**
 * `count` replicas of rng or hasher behind the name `<service>.dockercoins.test`,
 * at 127.0.0.<firstHost>, 127.0.0.<firstHost + 1>, ...
 */
export async function startReplicas(
  service: "rng" | "hasher",
  count: number,
  hosts: TestHosts,
  firstHost: number,
  env: Record<string, string>,
): Promise<Replicas> {
  const name = `${service}.dockercoins.test`;
  const port = await freePort();
  const processes: ServiceProcess[] = [];
  const forwarders: TcpForwarder[] = [];
  const addresses: string[] = [];
  const replicas: Replicas = {
    url: `http://${name}:${port}`,
    processes,
    async add() {
      const replica = await startLabService(service, env);
      const address = `127.0.0.${firstHost + processes.length}`;
      processes.push(replica);
      forwarders.push(await forwardTcp(address, port, replica.port));
      addresses.push(address);
      hosts.set(name, addresses);
    },
    served: () => Promise.all(processes.map((replica) => readMetric(replica, `${service}_served_total`))),
    async stop() {
      for (const forwarder of forwarders) forwarder.close();
      await Promise.all(processes.map((replica) => replica.stop()));
    },
  };
  try {
    for (let i = 0; i < count; i++) await replicas.add();
  } catch (err) {
    await replicas.stop();
    throw err;
  }
  return replicas;
}
