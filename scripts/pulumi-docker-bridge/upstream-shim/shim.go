// Package shim is copied by scripts/pulumi-toolchain.sh into the laid-out module of
// kreuzwerker's terraform-provider-docker, as its package shim. The provider
// lives under internal/, which only code inside that module may import: this is
// the one door the bridge (scripts/pulumi-docker-bridge/bridge) goes through.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"

	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// Provider is kreuzwerker's SDKv2 provider: every resource and data source the
// @pulumi/docker SDK knows. (The module's plugin-framework half holds only
// resources and data sources that SDK lacks: compose, docker_containers,
// docker_registry_image_tags, and Terraform actions.)
func Provider(version string) *schema.Provider {
	return provider.New(version)()
}
