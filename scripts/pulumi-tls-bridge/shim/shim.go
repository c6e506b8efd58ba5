// Package shim is the one door from the bridge (scripts/pulumi-tls-bridge/bridge)
// into hashicorp's terraform-provider-tls, whose provider lives under internal/.
// Go allows the import because this package's path starts with that module's
// path; scripts/pulumi-toolchain.sh lays this folder out beside the bridge, as
// the bridge's replace directive expects.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	tls "github.com/hashicorp/terraform-provider-tls/internal/provider"
)

// Provider is hashicorp's plugin-framework TLS provider: the resources and data
// sources of the @pulumi/tls SDK (and ephemeral resources, which the bridge
// leaves out).
func Provider() provider.Provider {
	return tls.New()
}
