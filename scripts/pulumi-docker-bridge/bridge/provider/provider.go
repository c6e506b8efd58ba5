// Package provider maps kreuzwerker's terraform-provider-docker onto the tokens
// and property names of the @pulumi/docker npm SDK (package-lock.json's
// version), which is the contract: programs written against that SDK must run
// unchanged on this bridge. test/toolchain/dockerSchemaContract.ts checks the
// schema tfgen derives from this mapping against the SDK's declarations.
package provider

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"

	"github.com/terraform-providers/terraform-provider-docker/shim"
)

const (
	pkg = "docker"
	mod = "index"
)

// The SDK's resource class of each Terraform resource.
var resources = map[string]string{
	"docker_buildx_builder": "BuildxBuilder",
	"docker_config":         "ServiceConfig",
	"docker_container":      "Container",
	"docker_image":          "RemoteImage",
	"docker_network":        "Network",
	"docker_plugin":         "Plugin",
	"docker_registry_image": "RegistryImage",
	"docker_secret":         "Secret",
	"docker_service":        "Service",
	"docker_tag":            "Tag",
	"docker_volume":         "Volume",
}

// The SDK's function of each Terraform data source.
var dataSources = map[string]string{
	"docker_image":                    "getRemoteImage",
	"docker_logs":                     "getLogs",
	"docker_network":                  "getNetwork",
	"docker_plugin":                   "getPlugin",
	"docker_registry_image":           "getRegistryImage",
	"docker_registry_image_manifests": "getRegistryImageManifests",
}

// Resources whose `name` the SDK lets a program leave out (Terraform requires it,
// or buildx_builder's empty default would leave the output unset): Pulumi's
// convention fills it in, from the resource's name and a random suffix.
var autoNamed = []string{
	"docker_buildx_builder",
	"docker_config",
	"docker_container",
	"docker_network",
	"docker_plugin",
	"docker_registry_image",
	"docker_secret",
	"docker_service",
}

// Property names the SDK spells differently from the bridge's default (which
// pluralises every list: commands, networksAdvanceds, registryAuths).
var renamedFields = map[string]map[string]*tfbridge.SchemaInfo{
	"docker_container": {
		"command":           {Name: "command"},
		"networks_advanced": {Name: "networksAdvanced"},
	},
}

var configFields = map[string]*tfbridge.SchemaInfo{
	// The SDK reads DOCKER_HOST when host is not set (as Terraform's default does
	// in the plugin's own environment): declared so in the schema too.
	"host":          {Default: &tfbridge.DefaultInfo{EnvVars: []string{"DOCKER_HOST"}}},
	"registry_auth": {Name: "registryAuth"},
}

// Provider is the bridge's description of the provider; version is the
// version it reports, the @pulumi/docker SDK's.
func Provider(version string) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(shim.Provider(version)),
		Name:        "docker",
		GitHubOrg:   "kreuzwerker",
		Version:     version,
		Description: "Docker containers, images, networks and volumes (kreuzwerker's Terraform provider, bridged by container-labs).",
		Config:      configFields,
		Resources:   map[string]*tfbridge.ResourceInfo{},
		DataSources: map[string]*tfbridge.DataSourceInfo{},
	}
	for tf, class := range resources {
		fields := maps.Clone(renamedFields[tf])
		if slices.Contains(autoNamed, tf) {
			if fields == nil {
				fields = map[string]*tfbridge.SchemaInfo{}
			}
			fields["name"] = tfbridge.AutoName("name", 255, "-")
		}
		info.Resources[tf] = &tfbridge.ResourceInfo{Tok: tfbridge.MakeResource(pkg, mod, class), Fields: fields}
	}
	for tf, function := range dataSources {
		info.DataSources[tf] = &tfbridge.DataSourceInfo{Tok: tfbridge.MakeDataSource(pkg, mod, function)}
	}
	return info
}
