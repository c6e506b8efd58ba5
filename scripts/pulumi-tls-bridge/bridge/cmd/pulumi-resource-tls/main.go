// pulumi-resource-tls is the TLS provider plugin the @pulumi/tls SDK asks for,
// serving hashicorp's Terraform provider (a plugin-framework one) through the
// bridge.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"container-labs/pulumi-tls-bridge/provider"
)

// version is set with -ldflags -X by scripts/pulumi-toolchain.sh.
var version = "0.0.0-dev"

// schema.json and bridge-metadata.json are written here by pulumi-tfgen-tls
// during the build; they are never committed.
var (
	//go:embed schema.json
	schema []byte
	//go:embed bridge-metadata.json
	metadata []byte
)

func main() {
	versioned, err := withVersion(schema, version)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-tls: the embedded schema: %v\n", err)
		os.Exit(1)
	}
	pfbridge.Main(context.Background(), "tls", provider.Provider(version, metadata), pfbridge.ProviderMetadata{PackageSchema: versioned})
}

// withVersion fills in the schema's version, which tfgen leaves out on purpose
// (so that schema.json does not change with the version alone); the CLI and
// `pulumi package get-schema` read it from the schema the plugin serves.
func withVersion(schema []byte, version string) ([]byte, error) {
	var spec map[string]any
	if err := json.Unmarshal(schema, &spec); err != nil {
		return nil, err
	}
	spec["version"] = version
	return json.Marshal(spec)
}
