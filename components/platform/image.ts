import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { DockerHost } from "./host";
import { onMachine } from "./onMachine";
import type { Registry } from "./registry";

/** The repository root: build contexts and Dockerfiles are found from here, whatever the cwd. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** External images our Dockerfiles build FROM, each through a build argument whose default is the pinned reference. */
export const BASE_IMAGE_ARGS = { node: "NODE_IMAGE", nginx: "NGINX_IMAGE" } as const;
export type BaseImage = keyof typeof BASE_IMAGE_ARGS;

/** The build argument through which a Node image gets the workspace image (images/workspace.Dockerfile). */
export const WORKSPACE_IMAGE_ARG = "WORKSPACE_IMAGE";

/** The BuildKit secret that carries an optional extra CA bundle to the steps that reach the network. */
export const EXTRA_CA_SECRET = "extra_ca";

export interface BuildSource {
  kind: "build";
  /** Build context, relative to the repository root. */
  context: string;
  /** Dockerfile, relative to the repository root; `<dockerfile>.dockerignore` beside it narrows the context. */
  dockerfile: string;
  buildArgs?: Record<string, string>;
  /** The Dockerfile stage to build; the last one when unset. */
  target?: string;
  /** The external base images it builds FROM, which a mirror may replace. */
  bases: readonly BaseImage[];
  /** Built FROM the workspace image (WORKSPACE_IMAGE). */
  usesWorkspace: boolean;
  /** A Node server's port and health route, as its image states them (EXPOSE and the HEALTHCHECK). */
  server?: { port: number; healthPath: string };
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
  writableDirs?: readonly string[];
}

const NODE_DOCKERFILE = "images/node-service.Dockerfile";

/** The workspace image every Node image builds FROM: the root package.json, the lockfile, tsconfig.base.json, packages/. */
export const WORKSPACE_BUILD: BuildSource = { kind: "build", context: ".", dockerfile: "images/workspace.Dockerfile", bases: [], usesWorkspace: false };

function nodeBuild(workspace: string, target: "service" | "job", buildArgs: Record<string, string>): BuildSource {
  return {
    kind: "build",
    context: `images/${workspace}`,
    dockerfile: NODE_DOCKERFILE,
    buildArgs: { SERVICE: workspace, ...buildArgs },
    target,
    bases: ["node"],
    usesWorkspace: true,
  };
}

/** A Node server under images/<lab>/<service>, built with the shared Dockerfile: its port exposed and its health route checked. */
export function nodeService(workspace: string, contract: NodeServiceContract): BuildSource {
  const server = { port: contract.port, healthPath: contract.healthPath ?? "/health" };
  const buildArgs: Record<string, string> = { PORT: String(server.port), HEALTH_PATH: server.healthPath };
  if (contract.writableDirs) buildArgs.WRITABLE_DIRS = contract.writableDirs.join(" ");
  return { ...nodeBuild(workspace, "service", buildArgs), server };
}

/** nodeService for each server of a lab, by its `<lab>/<service>` name (which is also its workspace). */
export function nodeServices<Name extends string>(servers: Readonly<Record<Name, NodeServiceContract>>): Record<Name, BuildSource> {
  return Object.fromEntries(Object.entries<NodeServiceContract>(servers).map(([name, contract]) => [name, nodeService(name, contract)])) as Record<Name, BuildSource>;
}

/** A one-shot Node program under images/<lab>/<service>: the shared Dockerfile's `job` target, no port, no healthcheck. */
export function nodeJob(workspace: string): BuildSource {
  return nodeBuild(workspace, "job", {});
}

/**
 * A docker-basics demo's own Dockerfile (the lesson): built from the
 * repository root for the lockfile, its `<dockerfile>.dockerignore` keeping
 * only the lockfile and the demo's directory.
 */
export function lessonDockerfile(directory: string, dockerfile = "Dockerfile"): BuildSource {
  return { kind: "build", context: ".", dockerfile: path.posix.join(directory, dockerfile), bases: ["node"], usesWorkspace: false };
}

/** An nginx image: its directory (config, templates) is the context. */
export function nginxDockerfile(directory: string): BuildSource {
  return { kind: "build", context: directory, dockerfile: path.posix.join(directory, "Dockerfile"), bases: ["nginx"], usesWorkspace: false };
}

export interface BuildInputs {
  /** Mirrors of the external bases, by digest (or, on the local engine, a local tag); unset: the Dockerfile's default. */
  mirror?: Partial<Record<BaseImage, string>>;
  /** The workspace image, as a reference the builder resolves; required by Node images. */
  workspace?: string;
}

/** The build arguments a build passes: the source's own, the mirrored bases, the workspace image. */
export function buildArgsFor(source: BuildSource, inputs: BuildInputs): Record<string, string> {
  const args: Record<string, string> = { ...source.buildArgs };
  for (const base of source.bases) {
    const mirror = inputs.mirror?.[base];
    if (mirror) args[BASE_IMAGE_ARGS[base]] = mirror;
  }
  if (source.usesWorkspace) {
    if (!inputs.workspace) throw new Error(`${source.dockerfile} (context ${source.context}) builds FROM the workspace image: pass its reference as ${WORKSPACE_IMAGE_ARG}`);
    args[WORKSPACE_IMAGE_ARG] = inputs.workspace;
  }
  return args;
}

export interface ImageArgs {
  /** The repository name, e.g. cmpt756-s1. */
  repository: string;
  source: ImageSource;
  /** Mirrors of the external base images a build starts FROM (config: the stand-ins on the `ci` stack). */
  mirror?: Partial<Record<BaseImage, string>>;
  /** The workspace image's reference (WorkspaceImage.ref), for builds that use it. */
  workspace?: pulumi.Input<string>;
  /** PEM bundle of extra CAs that builds' npm steps trust (a TLS-inspecting proxy), as the `extra_ca` secret. */
  extraCa?: pulumi.Input<string>;
  /** A reference that replaces the build (config imageOverrides). */
  override?: string;
  registry: Registry;
  /** The host that runs the containers (the image is made present there) and the builder for it. */
  host: DockerHost;
  /** Built for the build machine's own platform rather than the host's: files other builds read there (the workspace image). */
  forBuildMachine?: boolean;
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
          buildArgs: pulumi.output(args.workspace).apply((workspace) => buildArgsFor(source, { mirror: args.mirror, workspace })),
          target: source.target,
          ...args.host.builder.options,
          secrets: args.extraCa ? { [EXTRA_CA_SECRET]: args.extraCa } : undefined,
          platforms: args.host.buildPlatform && !args.forBuildMachine ? [args.host.buildPlatform as dockerBuild.Platform] : undefined,
          tags: [`${args.registry.repository(args.repository)}:${args.tag}`],
          push: args.registry.pushes,
          load: !args.registry.pushes,
          registries: args.registry.pushCredentials,
        },
        { parent: this, provider: args.host.builder.provider },
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
      // A new machine pulls it again (onMachine).
      { parent: this, provider: args.host.docker, ...onMachine(args.host.machineIdentity) },
    );
    this.imageId = present.imageId;
    this.ref = args.registry.pushes || source.kind === "pull"
      ? pulumi.output(reference)
      : present.imageId;
    this.registerOutputs({ ref: this.ref, imageId: this.imageId });
  }
}

export type WorkspaceImageArgs = Pick<ImageArgs, "registry" | "host" | "tag">;

/**
 * The workspace image (images/workspace.Dockerfile) that every Node image
 * builds FROM, as a reference the builder resolves and that changes with its
 * content, so that a change to packages/ or the lockfile rebuilds every Node
 * image and an edit to one service rebuilds that one alone. Pushed: the
 * registry's tag@digest. Loaded into the local engine: a tag named after its
 * image ID, since BuildKit reads `FROM sha256:<id>` as an image named
 * "sha256" to pull.
 */
export class WorkspaceImage extends pulumi.ComponentResource {
  readonly ref: pulumi.Output<string>;

  constructor(name: string, args: WorkspaceImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:WorkspaceImage", name, {}, opts);
    const repository = "workspace";
    const image = new Image(name, { ...args, repository, source: WORKSPACE_BUILD, forBuildMachine: true }, { parent: this });
    if (args.registry.pushes) {
      this.ref = image.ref;
    } else {
      const contentTag = new docker.Tag(
        `${name}-content-tag`,
        {
          sourceImage: image.imageId,
          targetImage: pulumi.interpolate`${args.registry.repository(repository)}:${args.tag}-${image.imageId.apply((id) => id.replace(/^sha256:/, "").slice(0, 16))}`,
        },
        { parent: this, provider: args.host.docker },
      );
      this.ref = contentTag.targetImage;
    }
    this.registerOutputs({ ref: this.ref });
  }
}
