// pulumi-tfgen-tls writes the Pulumi schema of the bridge (provider.Provider)
// at build time: scripts/pulumi-toolchain.sh runs `pulumi-tfgen-tls schema
// --out <dir>` in the bridge's build folder and embeds the result (schema.json
// and bridge-metadata.json) in pulumi-resource-tls.
package main

import (
	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"container-labs/pulumi-tls-bridge/provider"
)

// version is set with -ldflags -X by scripts/pulumi-toolchain.sh.
var version = "0.0.0-dev"

func main() {
	// The descriptions come from the provider's own schema (its attributes'
	// descriptions); tfgen finds hashicorp's docs/ in the module cache.
	pftfgen.Main("tls", provider.Provider(version, nil))
}
