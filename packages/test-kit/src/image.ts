/**
 * A Dockerfile replayed without Docker: each stage's filesystem is a
 * directory here, COPY copies from the build context (less .dockerignore) or
 * an earlier stage, RUN runs the same shell command in the stage's WORKDIR
 * with the build args in its environment. What this proves: every file the
 * Dockerfile copies exists, its RUN steps succeed from only what it copied,
 * and the final stage's ENTRYPOINT starts from only what that stage holds.
 * A stage FROM an earlier stage starts from a copy of it; FROM an image given
 * in `images` (e.g. the workspace image, replayed first), from a copy of that.
 * What it does not: other base images (the host's node and sh stand in),
 * USER, and layer caching.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, posix, relative } from "node:path";
import { promisify } from "node:util";
import { DockerfileParser, type Copy, type Env, type From, type Instruction, type JSONInstruction } from "dockerfile-ast";

const execFileAsync = promisify(execFile);

export interface DockerBuildOptions {
  /** Build context directory. */
  context: string;
  /** Dockerfile path. */
  dockerfile: string;
  buildArgs?: Record<string, string>;
  /** The stage to build (`--target`); the last one when unset. */
  target?: string;
  /** Images a FROM may name (after build-arg substitution), already replayed. */
  images?: Record<string, ReplayedImage>;
}

export interface ReplayedImage {
  /** The final stage's filesystem root, as a directory here. */
  root: string;
  /** The final stage's WORKDIR, inside `root`. */
  workdir: string;
  /** Exec-form ENTRYPOINT and CMD of the final stage. */
  entrypoint: string[];
  cmd: string[];
  /** ENV of the final stage. */
  env: Record<string, string>;
  /** A path of the image (absolute, as the container sees it) inside `root`. */
  path(inImage: string): string;
  remove(): void;
}

interface Stage {
  name?: string;
  root: string;
  workdir: string;
  args: Record<string, string>;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
}

/** A .dockerignore glob as a RegExp over context-relative paths: `**` any directories, `*` and `?` within one name. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    if (glob.startsWith("**/", i)) {
      source += "(?:.*/)?";
      i += 2;
    } else if (glob.startsWith("**", i)) {
      source += ".*";
      i += 1;
    } else if (glob[i] === "*") source += "[^/]*";
    else if (glob[i] === "?") source += "[^/]";
    else source += glob[i].replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** .dockerignore semantics: a pattern excludes a path and all below it; a later `!pattern` takes a path back. */
export function dockerignoreMatcher(patterns: string): (relativePath: string) => boolean {
  const rules = patterns
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const include = line.startsWith("!");
      const glob = (include ? line.slice(1) : line).replace(/^\.?\//, "").replace(/\/$/, "");
      return { include, pattern: globToRegExp(glob) };
    });
  return (relativePath) => {
    const segments = relativePath.split("/");
    const pathAndAncestors = segments.map((_, i) => segments.slice(0, i + 1).join("/"));
    let ignored = false;
    for (const { include, pattern } of rules) {
      if (pathAndAncestors.some((path) => pattern.test(path))) ignored = !include;
    }
    return ignored;
  };
}

/**
 * The ignore rules of a build as a predicate on context-relative paths, found
 * as BuildKit and the docker-build provider find them: `<dockerfile>.dockerignore`
 * beside the Dockerfile when there is one, else the context's `.dockerignore`.
 */
export function dockerignore(context: string, dockerfile?: string): (relativePath: string) => boolean {
  const file = [dockerfile && `${dockerfile}.dockerignore`, join(context, ".dockerignore")].find((path): path is string => !!path && existsSync(path));
  return dockerignoreMatcher(file ? readFileSync(file, "utf8") : "");
}

function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced: string, bare: string) => vars[braced ?? bare] ?? "");
}

function execForm(instruction: Instruction): string[] {
  const strings = (instruction as JSONInstruction).getJSONStrings?.() ?? [];
  if (strings.length > 0) return strings.map((s) => s.getJSONValue());
  return ["/bin/sh", "-c", instruction.getArgumentsContent() ?? ""];
}

export async function replayDockerBuild(options: DockerBuildOptions): Promise<ReplayedImage> {
  const tmp = mkdtempSync(join(tmpdir(), "image-"));
  const buildArgs = options.buildArgs ?? {};
  const ignored = dockerignore(options.context, options.dockerfile);
  const document = DockerfileParser.parse(readFileSync(options.dockerfile, "utf8"));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const inStage = (s: Stage, path: string) => join(s.root, posix.isAbsolute(path) ? path : posix.join(s.workdir, path));

  try {
    for (const instruction of document.getInstructions()) {
      const keyword = instruction.getKeyword();
      const vars = { ...globalArgs, ...stage?.args, ...stage?.env };
      const args = instruction.getArguments().map((a) => substitute(a.getValue(), vars));
      if (keyword === "ARG") {
        const [name, fallback] = args[0].split(/=(.*)/s);
        const value = buildArgs[name] ?? (stage ? globalArgs[name] : undefined) ?? fallback ?? "";
        (stage ? stage.args : globalArgs)[name] = value;
        continue;
      }
      if (keyword === "FROM") {
        if (stage && stage.name !== undefined && stage.name === options.target) break;
        const base = substitute((instruction as From).getImage() ?? "", globalArgs);
        const parent = stages.find((s) => s.name !== undefined && s.name === base);
        const image = options.images?.[base];
        stage = {
          name: (instruction as From).getBuildStage() ?? undefined,
          root: join(tmp, `stage-${stages.length}`),
          workdir: parent?.workdir ?? "/",
          args: {},
          env: { ...(parent?.env ?? image?.env) },
          entrypoint: [...(parent?.entrypoint ?? image?.entrypoint ?? [])],
          cmd: [...(parent?.cmd ?? image?.cmd ?? [])],
        };
        const from = parent?.root ?? image?.root;
        if (from) cpSync(from, stage.root, { recursive: true });
        else mkdirSync(stage.root);
        stages.push(stage);
        continue;
      }
      if (!stage) throw new Error(`${keyword} before any FROM`);
      const current = stage;
      switch (keyword) {
        case "ENV":
          for (const property of (instruction as Env).getProperties()) current.env[property.getName()] = substitute(property.getValue() ?? "", vars);
          break;
        case "WORKDIR":
          current.workdir = posix.resolve(current.workdir, args[0]);
          mkdirSync(join(current.root, current.workdir), { recursive: true });
          break;
        case "COPY": {
          const from = (instruction as Copy).getFromFlag()?.getValue();
          const source = from === undefined ? undefined : stages.find((s) => s.name === from) ?? stages[Number(from)];
          if (from !== undefined && !source) throw new Error(`COPY --from=${from}: no such stage`);
          const sources = args.slice(0, -1);
          const dest = args[args.length - 1];
          const destPath = inStage(current, dest);
          const intoDirectory = dest.endsWith("/") || sources.length > 1;
          for (const src of sources) {
            const srcPath = source ? inStage(source, src) : join(options.context, src);
            if (!existsSync(srcPath) || (!source && ignored(relative(options.context, srcPath)))) {
              throw new Error(`COPY ${src}: not in the ${source ? `stage ${from}` : "build context"}`);
            }
            const isDirectory = statSync(srcPath).isDirectory();
            const target = !isDirectory && intoDirectory ? join(destPath, basename(srcPath)) : destPath;
            cpSync(srcPath, target, {
              recursive: true,
              filter: (path) => source !== undefined || !ignored(relative(options.context, path)),
            });
          }
          break;
        }
        case "RUN": {
          const command = execForm(instruction);
          // The CA bundle a real build gets as its extra_ca secret (buildCaBundle) reaches a replayed RUN as
          // the variable that secret sets: the official Node binary trusts no system store, so without it
          // npm fails behind a TLS-inspecting proxy.
          const extraCa = process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {};
          const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmp, ...extraCa, ...current.args, ...current.env };
          try {
            await execFileAsync(command[0], command.slice(1), { cwd: join(current.root, current.workdir), env, maxBuffer: 64 * 1024 * 1024 });
          } catch (err) {
            const { stdout, stderr } = err as { stdout?: string; stderr?: string };
            throw new Error(`RUN ${command.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
          }
          break;
        }
        case "ENTRYPOINT":
          current.entrypoint = execForm(instruction);
          break;
        case "CMD":
          current.cmd = execForm(instruction);
          break;
        default:
          // EXPOSE, HEALTHCHECK, USER, LABEL: metadata this replay does not act on.
          break;
      }
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const last = options.target === undefined ? stages[stages.length - 1] : stages.find((s) => s.name === options.target);
  if (!last) throw new Error(options.target === undefined ? `${options.dockerfile} has no FROM` : `${options.dockerfile} has no stage ${options.target}`);
  return {
    root: last.root,
    workdir: join(last.root, last.workdir),
    entrypoint: last.entrypoint,
    cmd: last.cmd,
    env: last.env,
    path: (inImage: string) => join(last.root, inImage),
    remove: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

export interface NodeImageOptions {
  /** The repository's root. */
  repoRoot: string;
  /** The workspace, `<lab>/<service>`. */
  service: string;
  /** `service` (the default) or `job`. */
  target?: string;
  /** PORT, HEALTH_PATH, WRITABLE_DIRS... */
  buildArgs?: Record<string, string>;
}

/**
 * A Node image of this repository replayed as the program builds it: the
 * workspace image (images/workspace.Dockerfile, from the repository root)
 * first, then images/node-service.Dockerfile in the service's own directory
 * with that image as WORKSPACE_IMAGE.
 */
export async function replayNodeImage(options: NodeImageOptions): Promise<ReplayedImage> {
  const images = join(options.repoRoot, "images");
  const workspace = await replayDockerBuild({ context: options.repoRoot, dockerfile: join(images, "workspace.Dockerfile") });
  try {
    return await replayDockerBuild({
      context: join(images, options.service),
      dockerfile: join(images, "node-service.Dockerfile"),
      buildArgs: { ...options.buildArgs, SERVICE: options.service, WORKSPACE_IMAGE: "replayed-workspace" },
      target: options.target,
      images: { "replayed-workspace": workspace },
    });
  } finally {
    workspace.remove();
  }
}
