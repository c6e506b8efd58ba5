import * as pulumi from "@pulumi/pulumi";
import type { DockerHost } from "./host";
import { dynamoDbLocal, dynamoDbService, type DynamoBackend } from "./dynamo";
import { BASE_IMAGE_ARGS, Image, WorkspaceImage, type BaseImage, type BuildSource } from "./image";
import { EXTERNAL_IMAGES, type ExternalImage } from "./images";
import { Network, type NetworkArgs } from "./network";
import type { Registry } from "./registry";
import type { Engine, SwarmEngine } from "./serviceArgs";
import { PLATFORM_VOLUMES, stackVolumeName, type PlatformVolume } from "./stackNames";
import { Volume, type Keep } from "./volume";

/** The account a swarm's nodes pull lab images with: the registry's pull account (Registry.pullCredentials). */
function swarmPullAuth(registry: Registry): SwarmEngine["pullAuth"] {
  const account = registry.pullCredentials?.[0];
  return account && { serverAddress: account.address, username: account.username, password: account.password };
}

/** How the labs' images are made: config's externalImages, imageOverrides and buildCaBundle. */
export interface BuildSettings {
  /** External images replaced by other references (a mirror); the rest use the pinned defaults. */
  externalImages: Partial<Record<ExternalImage, string>>;
  /** Lab images replaced by external references instead of being built, by `<lab>/<service>`. */
  imageOverrides: Partial<Record<string, string>>;
  /** PEM certificates that builds trust besides the base image's (a TLS-inspecting proxy). */
  caBundle?: string;
}

export interface PlatformSettings<ImageName extends string = string, VolumeName extends string = never> {
  /** Tag for built images, label of containers, prefix of volumes that share an engine (stackNames.ts): the stack's name. */
  stack: string;
  /** How each of the labs' images is built, by `<lab>/<service>`: the labs' own lists, assembled (components/labs). */
  images: Readonly<Record<ImageName, BuildSource>>;
  /** The labs' named volumes, by the course's name: the labs' own lists, assembled (components/labs). */
  volumes: Readonly<Record<VolumeName, object>>;
  /** The target: on the local target, stacks may share an engine. */
  target: string;
  build: BuildSettings;
  portRemap: Map<number, number>;
  awsRegion: string;
}

/**
 * What a lab is given to deploy itself: the Docker host, its engine, images
 * made present there, networks, and URLs. Labs never ask which target this is.
 */
export class Platform<ImageName extends string = string, VolumeName extends string = never> {
  readonly engine: Engine;
  /** The AWS region services are told to use (DynamoDB Local accepts any). */
  readonly awsRegion: string;
  /**
   * Networks with a fixed subnet (kleeweb's). Docker hands out subnets to other
   * networks from pools that include those ranges, so every network Docker
   * addresses itself is created after these: it then steers around them.
   */
  private readonly fixedSubnetNetworks: Network[] = [];
  private workspace?: WorkspaceImage;

  constructor(readonly host: DockerHost, readonly registry: Registry, private readonly settings: PlatformSettings<ImageName, VolumeName>) {
    this.engine = {
      docker: host.docker,
      stack: settings.stack,
      hostPort: (port) => settings.portRemap.get(port) ?? port,
      publishAddress: host.publishAddress,
      exposure: host.exposure,
      machineIdentity: host.machineIdentity,
      command: (name, args, parent) => host.command(name, args, parent),
      swarm: host.swarm && { ...host.swarm, pullAuth: swarmPullAuth(registry) },
    };
    this.awsRegion = settings.awsRegion;
  }

  /** The reference an external image is taken from: the configured mirror, or the pinned default. */
  externalImage(image: ExternalImage): string {
    return this.settings.build.externalImages[image] ?? EXTERNAL_IMAGES[image];
  }

  /** One of the labs' own images, by `<lab>/<service>`, built as its lab describes it unless config overrides it. */
  image(name: string, image: ImageName, parent: pulumi.Resource): Image {
    this.requireRegistryOnSwarm();
    const source = this.settings.images[image];
    if (!source) throw new Error(`no lab declares the image ${image} (each lab's images are in its folder's images.ts)`);
    const override = this.settings.build.imageOverrides[image];
    return new Image(
      name,
      {
        repository: image.replace("/", "-"),
        source,
        override,
        mirror: this.baseImageMirror(),
        workspace: source.usesWorkspace && !override ? this.workspaceImage().ref : undefined,
        extraCa: this.settings.build.caBundle,
        registry: this.registry,
        host: this.host,
        tag: this.settings.stack,
      },
      { parent },
    );
  }

  /** A swarm's every node pulls what it runs, so an image there needs a registry; a swarm with no lab needs none. */
  private requireRegistryOnSwarm(): void {
    if (this.host.swarm && !this.registry.pushes) {
      throw new Error("a swarm of hosts runs lab images on every node, which pull them from a registry: set registryServer (the images are then pushed there)");
    }
  }

  /** The mirrored bases our Dockerfiles build FROM; the Dockerfiles' own pinned defaults for the rest. */
  private baseImageMirror(): Partial<Record<BaseImage, string>> {
    const mirror = this.settings.build.externalImages;
    return Object.fromEntries((Object.keys(BASE_IMAGE_ARGS) as BaseImage[]).flatMap((base) => (mirror[base] ? [[base, mirror[base]]] : [])));
  }

  /** The workspace image the Node images build FROM: made once, on first need. */
  private workspaceImage(): WorkspaceImage {
    this.workspace ??= new WorkspaceImage("workspace", { registry: this.registry, host: this.host, tag: this.settings.stack });
    return this.workspace;
  }

  /** An external image run as it is (redis, postgres...), from the mirror if one is configured. */
  pull(name: string, image: ExternalImage, parent: pulumi.Resource): Image {
    this.requireRegistryOnSwarm();
    return new Image(
      name,
      { repository: name, source: { kind: "pull", ref: this.externalImage(image) }, registry: this.registry, host: this.host, tag: this.settings.stack },
      { parent },
    );
  }

  /**
   * A user-defined network; fixed-subnet networks are made before the ones Docker addresses.
   * On a swarm, an attachable overlay network, made once the swarm has formed.
   */
  network(name: string, args: Omit<NetworkArgs, "provider" | "overlay">, parent: pulumi.Resource): Network {
    const swarm = this.host.swarm;
    const network = new Network(
      name,
      { ...args, provider: this.host.docker, machineIdentity: this.host.machineIdentity, overlay: swarm !== undefined || undefined },
      { parent, dependsOn: [...(args.ipam ? [] : this.fixedSubnetNetworks), ...(swarm ? [swarm.ready] : [])] },
    );
    if (args.ipam) this.fixedSubnetNetworks.push(network);
    return network;
  }

  /**
   * A named volume, one a lab declares or the platform's own: the course's
   * name, or the stack's where stacks share the engine (stackNames.ts). Kept
   * when the host's machine is new, unlike the rest of what the engine holds
   * (onMachine): its data is on the data disk.
   */
  volume(name: string, args: { lab: string; volume: VolumeName | PlatformVolume; keep: Keep }, parent: pulumi.Resource): Volume {
    const declared = args.volume in this.settings.volumes || (PLATFORM_VOLUMES as readonly string[]).includes(args.volume);
    // `npm run down` finds what a stack left by the declared names only.
    if (!declared) throw new Error(`no lab declares the volume ${args.volume} (each lab's are in its module's volumes)`);
    const volumeName = stackVolumeName(args.volume, this.settings.stack, this.settings.target);
    return new Volume(name, { lab: args.lab, volumeName, keep: args.keep, provider: this.host.docker }, { parent });
  }

  /** DynamoDB for a lab whose containers sit on `network`: the real service on EC2, DynamoDB Local otherwise. */
  dynamoDb(name: string, network: Network, parent: pulumi.Resource): DynamoBackend {
    const { instanceRole, awsCredentialsNetwork } = this.host;
    return instanceRole && awsCredentialsNetwork
      ? dynamoDbService(instanceRole, awsCredentialsNetwork)
      : dynamoDbLocal(name, this, network, parent);
  }

  /** The URL a user opens for a port the lab publishes. */
  url(publishedPort: number, path = "/", scheme = "http"): pulumi.Output<string> {
    return pulumi.interpolate`${scheme}://${this.host.address}:${this.engine.hostPort(publishedPort)}${path}`;
  }
}
