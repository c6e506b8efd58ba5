// pulumi-tfgen-docker writes the Pulumi schema of the bridge (provider.Provider)
// at build time: scripts/pulumi-toolchain.sh runs `pulumi-tfgen-docker schema
// --out <dir>` in the bridge's build folder and embeds the result in
// pulumi-resource-docker.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"container-labs/pulumi-docker-bridge/provider"
)

// version is set with -ldflags -X by scripts/pulumi-toolchain.sh.
var version = "0.0.0-dev"

func main() {
	info := provider.Provider(version)
	// The descriptions come from kreuzwerker's docs/, in the module the script
	// lays out beside this one.
	info.UpstreamRepoPath = "../upstream"
	tfgen.Main("docker", version, info)
}
