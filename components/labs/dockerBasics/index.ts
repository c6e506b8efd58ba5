import * as pulumi from "@pulumi/pulumi";
import type { Platform } from "../../platform/platform";
import { Service } from "../../platform/service";
import type { LabModule, LabSummary, LabVolumes } from "../lab";
import { IMAGES } from "./images";

/** One of this lab's images, by `<lab>/<service>`: all Platform.image builds for it. */
type ImageName = keyof typeof IMAGES;

/** demo-2's named volume, the course's name. */
const VOLUMES = { t2v: {} } as const satisfies LabVolumes;
type VolumeName = keyof typeof VOLUMES;

const LAB = "docker-basics";
/** demo-3's published port and the server's own port, as the tutorial has them. */
export const TCP_HOST_PORT = 3001;
const TCP_SERVER_PORT = 1234;
/** Where demo-2's image keeps its file (a VOLUME in its Dockerfile). */
const DATA_PATH = "/usr/src/data";

export interface DockerBasicsArgs {
  platform: Platform<ImageName, VolumeName>;
}

/**
 * The tutorial's demos 1-3: exec-form vs shell-form signal handling, a file
 * shared through a named volume and through a host bind mount, and a TCP
 * server reached by port mapping and by container name on a user network.
 */
export class DockerBasics extends pulumi.ComponentResource {
  readonly tcpUrl: pulumi.Output<string>;
  readonly bindMountFile: string;

  constructor(name: string, args: DockerBasicsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:labs:DockerBasics", name, {}, opts);
    const { platform } = args;
    const engine = platform.engine;
    const defaultNetwork = platform.network(`${name}-default`, { lab: LAB, networkName: "docker-basics" }, this);

    // demo-1: the same program, two entry-point forms; `docker stop` shows the difference.
    for (const form of ["exec", "shell"] as const) {
      const image = platform.image(`${name}-signals-${form}`, `docker-basics/signals-${form}`, this);
      new Service(`${name}-signals-${form}`, {
        lab: LAB,
        service: `signals-${form}`,
        image,
        networks: [defaultNetwork],
        engine,
      }, { parent: this });
    }

    // demo-2: a long-lived tailer and a short-lived appender share a file, on a named volume and on a bind mount.
    const writer = platform.image(`${name}-volume-writer`, "docker-basics/volume-writer", this);
    const namedVolume = platform.volume(`${name}-t2v`, { lab: LAB, volume: "t2v", keep: { holds: "scratch" } }, this);
    const bindDir = platform.host.directory(`${name}-bind-dir`, "docker-basics/bind", writer.imageId, this);
    const storages = [
      { label: "volume", source: namedVolume, dependsOn: [] as pulumi.Resource[] },
      { label: "bind", source: { hostPath: bindDir.path }, dependsOn: [bindDir.ready] },
    ];
    for (const storage of storages) {
      const mounts = [{ source: storage.source, target: DATA_PATH }];
      const tail = new Service(`${name}-${storage.label}-tail`, {
        lab: LAB,
        service: `${storage.label}-tail`,
        image: writer,
        networks: [defaultNetwork],
        mounts,
        engine,
      }, { parent: this, dependsOn: storage.dependsOn });
      new Service(`${name}-${storage.label}-append`, {
        lab: LAB,
        service: `${storage.label}-append`,
        image: writer,
        command: ["append", `appended by the short-lived ${storage.label}-append container`],
        networks: [defaultNetwork],
        mounts,
        oneShot: true,
        engine,
      }, { parent: this, dependsOn: tail.ready });
    }
    this.bindMountFile = `${bindDir.path}/save_file`;

    // demo-3: published 3001 -> 1234, and reached by name from a client on t3n.
    const tcpImage = platform.image(`${name}-tcp-server`, "docker-basics/tcp-server", this);
    const t3n = platform.network(`${name}-t3n`, { lab: LAB, networkName: "t3n" }, this);
    const server = new Service(`${name}-tcp-server`, {
      lab: LAB,
      service: "tcp-server",
      image: tcpImage,
      env: { PORT: String(TCP_SERVER_PORT) },
      networks: [t3n],
      ports: [{ container: TCP_SERVER_PORT, host: TCP_HOST_PORT }],
      engine,
    }, { parent: this });
    new Service(`${name}-tcp-client`, {
      lab: LAB,
      service: "tcp-client",
      image: tcpImage,
      command: ["client"],
      env: { SERVER_HOST: "tcp-server", SERVER_PORT: String(TCP_SERVER_PORT) },
      networks: [t3n],
      oneShot: true,
      engine,
    }, { parent: this, dependsOn: server.ready });

    this.tcpUrl = platform.url(TCP_HOST_PORT, "").apply((url) => url.replace(/^http/, "tcp"));
    this.registerOutputs({ tcpUrl: this.tcpUrl, bindMountFile: this.bindMountFile });
  }
}

/**
 * One line to the TCP server with nc, as the README prints it for localhost.
 * `-w 1`: Debian's and Ubuntu's netcat (netcat-openbsd) keeps the connection
 * open after its input ends, so it quits 1 s after the answer; macOS's nc
 * ends its side, the server then ends its own and nc quits at once. `nc -N`
 * would not do: macOS's nc reads -N as an option taking a value.
 */
export const tcpTryLine = (host: string, port: string | number): string => `echo hi | nc -w 1 ${host} ${port}`;

/** The demos have no settings of their own. */
export const dockerBasics: LabModule<Record<string, never>, ImageName, VolumeName> = {
  readSettings: () => ({}),
  images: IMAGES,
  volumes: VOLUMES,
  hostPorts: () => [{ port: TCP_HOST_PORT, what: "docker-basics tcp-server" }],
  deploy(platform: Platform<ImageName, VolumeName>): LabSummary {
    const lab = new DockerBasics(LAB, { platform });
    return {
      urls: { tcpServer: lab.tcpUrl },
      tryIt: [
        pulumi.output("docker stop docker-basics-signals-exec   # exits at once: node is PID 1 and gets SIGTERM"),
        pulumi.output("docker stop docker-basics-signals-shell  # waits 10 s: /bin/sh swallows SIGTERM"),
        pulumi.output(`cat ${lab.bindMountFile}   # on the Docker host: written by containers through the bind mount`),
        lab.tcpUrl.apply((url) => tcpTryLine(new URL(url).hostname, new URL(url).port)),
      ],
    };
  },
};
