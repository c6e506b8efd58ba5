import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { DockerHost } from "./dockerHost";
import type { ExternalImage } from "./images";
import type { Registry } from "./registry";

/** The repository root: build contexts and Dockerfiles are found from here, whatever the cwd. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface BuildSource {
  kind: "build";
  /** Build context, relative to the repository root. */
  context: string;
  /** Dockerfile, relative to the repository root. */
  dockerfile: string;
  buildArgs?: Record<string, string>;
  /** Build arguments that name an external base image (e.g. NODE_IMAGE: "node"): the platform fills in the reference. */
  bases: Record<string, ExternalImage>;
}

export interface PullSource {
  kind: "pull";
  /** An external reference pinned by digest. */
  ref: string;
}

export type ImageSource = BuildSource | PullSource;

export interface NodeServiceContract {
  port: number;
  healthPath?: string;
  /** Directories the service writes that named volumes are mounted on: owned by the image's user. */
  writableDirs?: string[];
}

/** A Node service under images/<lab>/<service>, built with the shared Dockerfile. */
export function nodeService(workspace: string, contract: NodeServiceContract): BuildSource {
  const buildArgs: Record<string, string> = {
    SERVICE: workspace,
    PORT: String(contract.port),
    HEALTH_PATH: contract.healthPath ?? "/health",
  };
  if (contract.writableDirs) buildArgs.WRITABLE_DIRS = contract.writableDirs.join(" ");
  return { kind: "build", context: ".", dockerfile: "images/node-service.Dockerfile", buildArgs, bases: { NODE_IMAGE: "node" } };
}

/**
 * An image directory with a Dockerfile of its own (nginx configs, the
 * docker-basics demos), built with that directory as context unless the
 * Dockerfile says its context is the repository root.
 */
export function ownDockerfile(directory: string, bases: Record<string, ExternalImage>, dockerfile = "Dockerfile", context: "directory" | "repository" = "directory"): BuildSource {
  return { kind: "build", context: context === "directory" ? directory : ".", dockerfile: path.posix.join(directory, dockerfile), bases };
}

/** The BuildKit secret the Dockerfiles mount where they reach the network, for an extra CA bundle. */
export const CA_BUNDLE_SECRET = "extra_ca";

export interface ImageArgs {
  /** The repository name, e.g. cmpt756-s1. */
  repository: string;
  source: ImageSource;
  /** A reference that replaces the build (config imageOverrides). */
  override?: string;
  /** The reference of each external image a build names as its base (the mirror, or the pinned default). */
  baseImage?: (image: ExternalImage) => string;
  /** Extra CA certificates for the build's network steps. */
  caBundle?: string;
  registry: Registry;
  /** The host that runs the containers (the image is made present there) and the builder for it. */
  host: DockerHost;
  /** Tag for built images (the stack name), so each stack's images are told apart. */
  tag: string;
}

/**
 * A lab image present on the Docker host: built here with buildx (pushed to
 * the registry on a cloud target, loaded into the local engine otherwise) or
 * pulled from an external reference. Containers take `imageId`, so a rebuild
 * that changes the image replaces exactly the containers that use it.
 */
export class Image extends pulumi.ComponentResource {
  /** Digest-pinned reference: registry digest when pushed or pulled; the image ID when only loaded locally. */
  readonly ref: pulumi.Output<string>;
  /** The image ID on the Docker host: what containers run. */
  readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: ImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Image", name, {}, opts);
    const source: ImageSource = args.override ? { kind: "pull", ref: args.override } : args.source;
    let reference: pulumi.Input<string>;
    let pullTrigger: pulumi.Input<string> | undefined;
    if (source.kind === "build") {
      const build = new dockerBuild.Image(
        `${name}-build`,
        {
          context: { location: path.join(REPO_ROOT, source.context) },
          dockerfile: { location: path.join(REPO_ROOT, source.dockerfile) },
          buildArgs: { ...source.buildArgs, ...baseArgs(source, args.baseImage) },
          secrets: args.caBundle ? { [CA_BUNDLE_SECRET]: args.caBundle } : undefined,
          platforms: args.host.buildPlatform ? [args.host.buildPlatform as dockerBuild.Platform] : undefined,
          tags: [`${args.registry.repository(args.repository)}:${args.tag}`],
          push: args.registry.pushes,
          load: !args.registry.pushes,
          registries: args.registry.pushCredentials,
        },
        { parent: this, provider: args.host.builder },
      );
      // Pushed: tag@sha256 from the registry. Loaded: the local tag, re-read whenever the build's digest moves.
      reference = args.registry.pushes ? build.ref : `${args.registry.repository(args.repository)}:${args.tag}`;
      pullTrigger = build.digest;
    } else {
      reference = source.ref;
    }
    const present = new docker.RemoteImage(
      `${name}-image`,
      { name: reference, keepLocally: true, pullTriggers: pullTrigger ? [pullTrigger] : undefined },
      { parent: this, provider: args.host.docker },
    );
    this.imageId = present.imageId;
    this.ref = args.registry.pushes || source.kind === "pull"
      ? pulumi.output(reference)
      : present.imageId;
    this.registerOutputs({ ref: this.ref, imageId: this.imageId });
  }
}

function baseArgs(source: BuildSource, baseImage: ImageArgs["baseImage"]): Record<string, string> {
  if (!baseImage) return {};
  return Object.fromEntries(Object.entries(source.bases).map(([arg, image]) => [arg, baseImage(image)]));
}
