import * as pulumi from "@pulumi/pulumi";
import type { BuiltImage } from "../../config";
import type { DockerHost } from "./dockerHost";
import { dynamoDbLocal, dynamoDbService, type DynamoBackend } from "./dynamo";
import { IMAGE_BUILDS } from "./builds";
import { Image, WorkspaceImage, type BaseImage } from "./image";
import type { Network } from "./network";
import type { Registry } from "./registry";
import type { Engine } from "./service";

export interface PlatformSettings {
  /** Tag for built images: the stack's name. */
  stack: string;
  imageOverrides: Partial<Record<BuiltImage, string>>;
  portRemap: Map<number, number>;
  awsRegion: string;
  /** Mirrors of the base images our Dockerfiles build FROM (node, nginx), pinned by digest. */
  baseImageMirror?: Partial<Record<BaseImage, string>>;
  /** PEM bundle of extra CAs the builds' npm steps trust (a TLS-inspecting proxy). */
  buildExtraCa?: pulumi.Input<string>;
}

/**
 * What a lab is given to deploy itself: the Docker host, its engine, images
 * made present there, and URLs. Labs never ask which target this is.
 */
export class Platform {
  readonly engine: Engine;
  /** The AWS region services are told to use (DynamoDB Local accepts any). */
  readonly awsRegion: string;

  private workspace?: WorkspaceImage;

  constructor(readonly host: DockerHost, readonly registry: Registry, private readonly settings: PlatformSettings) {
    this.engine = { docker: host.docker, hostPort: (port) => settings.portRemap.get(port) ?? port };
    this.awsRegion = settings.awsRegion;
  }

  /** One of the labs' own images, built as IMAGE_BUILDS describes it unless config overrides it. */
  image(name: string, image: BuiltImage, parent: pulumi.Resource): Image {
    const source = IMAGE_BUILDS[image];
    const override = this.settings.imageOverrides[image];
    return new Image(
      name,
      {
        repository: image.replace("/", "-"),
        source,
        override,
        mirror: this.settings.baseImageMirror,
        workspace: source.usesWorkspace && !override ? this.workspaceImage().ref : undefined,
        extraCa: this.settings.buildExtraCa,
        registry: this.registry,
        docker: this.host.docker,
        platform: this.host.buildPlatform,
        tag: this.settings.stack,
      },
      { parent },
    );
  }

  /** The workspace image the Node images build FROM: made once, on first need. */
  private workspaceImage(): WorkspaceImage {
    this.workspace ??= new WorkspaceImage("workspace", { registry: this.registry, docker: this.host.docker, tag: this.settings.stack });
    return this.workspace;
  }

  /** A third-party image (redis, postgres...), pinned by digest. */
  pull(name: string, ref: string, parent: pulumi.Resource): Image {
    return new Image(
      name,
      { repository: name, source: { kind: "pull", ref }, registry: this.registry, docker: this.host.docker, tag: this.settings.stack },
      { parent },
    );
  }

  /** DynamoDB for a lab whose containers sit on `network`: the real service on EC2, DynamoDB Local otherwise. */
  dynamoDb(name: string, network: Network, parent: pulumi.Resource): DynamoBackend {
    const role = this.host.instanceRole;
    return role ? dynamoDbService(role) : dynamoDbLocal(name, this, network, this.awsRegion, parent);
  }

  /** The URL a user opens for a port the lab publishes. */
  url(publishedPort: number, path = "/", scheme = "http"): pulumi.Output<string> {
    return pulumi.interpolate`${scheme}://${this.host.address}:${this.engine.hostPort(publishedPort)}${path}`;
  }
}
