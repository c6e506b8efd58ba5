import * as dockerBuild from "@pulumi/docker-build";
import type * as pulumi from "@pulumi/pulumi";
import type { ImageBuilder } from "./host";

/**
 * Every target builds with the BuildKit of the engine on the machine that
 * runs Pulumi (buildx's "docker" driver, through the machine's `docker
 * buildx` plugin): the local target loads the images into that engine, the
 * remote ones push them to the registry. Not the provider's embedded buildx,
 * which picks a docker-container builder whose BuildKit image comes from
 * Docker Hub (offline, in a classroom behind a mirror, it fails).
 */
export function buildsOn(name: string, endpoint: string, parent: pulumi.Resource): ImageBuilder {
  return {
    provider: new dockerBuild.Provider(`${name}-builder`, { host: endpoint }, { parent }),
    options: { exec: true, builder: { name: "default" } },
  };
}
