/**
 * Builds the labs' images on the private engine exactly as IMAGE_BUILDS
 * describes them and as the program passes them to the builder: the
 * stand-ins as the mirrored bases, the workspace image (tagged after its
 * image ID, as WorkspaceImage does) as WORKSPACE_IMAGE, and this machine's
 * CA bundle as the optional `extra_ca` secret (its npm traffic crosses a
 * TLS-inspecting proxy).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildImage, docker, requireEngine, requireStandins, type Engine, type Standin } from "@container-labs/test-kit";
import { buildArgsFor, EXTRA_CA_SECRET, WORKSPACE_BUILD, type BuildSource } from "../../components/platform/image";

export const REPO_ROOT = join(__dirname, "..", "..");
const EXTRA_CA_FILE = process.env.EXTRA_CA_FILE ?? "/etc/ssl/certs/ca-certificates.crt";

export interface Builder {
  engine: Engine;
  standins: Record<Standin, string>;
  /** Builds `source`, tagged `container-labs-test/<name>`; resolves to the image ID. */
  build(name: string, source: BuildSource): Promise<string>;
}

export async function builder(): Promise<Builder> {
  const engine = await requireEngine();
  const standins = await requireStandins(engine);
  const secrets = existsSync(EXTRA_CA_FILE) ? { [EXTRA_CA_SECRET]: EXTRA_CA_FILE } : undefined;
  const run = (name: string, source: BuildSource, workspace?: string) =>
    buildImage(engine, {
      context: join(REPO_ROOT, source.context),
      dockerfile: join(REPO_ROOT, source.dockerfile),
      buildArgs: buildArgsFor(source, { mirror: { node: standins.node, nginx: standins.nginx }, workspace }),
      target: source.target,
      tag: `container-labs-test/${name.replace("/", "-")}`,
      secrets,
    });
  let workspace: Promise<string> | undefined;
  const workspaceRef = () => {
    workspace ??= run("workspace", WORKSPACE_BUILD).then(async (id) => {
      const ref = `container-labs-test/workspace:${id.replace(/^sha256:/, "").slice(0, 16)}`;
      await docker(engine, ["tag", id, ref]);
      return ref;
    });
    return workspace;
  };
  return {
    engine,
    standins,
    build: async (name, source) => run(name, source, source.usesWorkspace ? await workspaceRef() : undefined),
  };
}
