// pulumi-resource-docker is the Docker provider plugin the @pulumi/docker SDK
// asks for, serving kreuzwerker's Terraform provider through the bridge.
package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"container-labs/pulumi-docker-bridge/provider"
)

// version is set with -ldflags -X by scripts/pulumi-toolchain.sh.
var version = "0.0.0-dev"

// schema.json is written here by pulumi-tfgen-docker during the build; it is
// never committed.
//
//go:embed schema.json
var schema []byte

func main() {
	versioned, err := withVersion(schema, version)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-docker: the embedded schema: %v\n", err)
		os.Exit(1)
	}
	tfbridge.Main("docker", version, provider.Provider(version), versioned)
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
