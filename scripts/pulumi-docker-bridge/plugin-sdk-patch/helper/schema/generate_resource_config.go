// Added by scripts/pulumi-toolchain.sh to its laid-out copy of Pulumi's fork of
// terraform-plugin-sdk/v2 (the one the bridge builds against). kreuzwerker's
// provider needs terraform-plugin-go v0.31, whose tfprotov5.ProviderServer
// gained this one method after the fork was cut; without it the fork's
// GRPCProviderServer no longer satisfies the interface and nothing compiles.
// Terraform calls it only for `plan -generate-config-out` on providers that
// advertise the capability (this one does not), and the bridge never calls it.

package schema

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
)

// GenerateResourceConfig answers that generating configuration is not supported.
func (s *GRPCProviderServer) GenerateResourceConfig(_ context.Context, req *tfprotov5.GenerateResourceConfigRequest) (*tfprotov5.GenerateResourceConfigResponse, error) {
	return &tfprotov5.GenerateResourceConfigResponse{
		Diagnostics: []*tfprotov5.Diagnostic{{
			Severity: tfprotov5.DiagnosticSeverityError,
			Summary:  "Generating resource configuration is not supported",
			Detail:   "The " + req.TypeName + " resource cannot generate its configuration: this provider is built against a plugin SDK that predates the feature.",
		}},
	}, nil
}
