// Package provider maps hashicorp's terraform-provider-tls onto the tokens and
// property names of the @pulumi/tls npm SDK (package-lock.json's version),
// which is the contract: programs written against that SDK must run unchanged
// on this bridge. The bridge's default names (snake_case to camelCase) are the
// SDK's own, so only the tokens are listed.
package provider

import (
	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"github.com/hashicorp/terraform-provider-tls/shim"
)

const (
	pkg = "tls"
	mod = "index"
)

// The SDK's resource class of each Terraform resource.
var resources = map[string]string{
	"tls_cert_request":        "CertRequest",
	"tls_locally_signed_cert": "LocallySignedCert",
	"tls_private_key":         "PrivateKey",
	"tls_self_signed_cert":    "SelfSignedCert",
}

// The SDK's function of each Terraform data source.
var dataSources = map[string]string{
	"tls_certificate": "getCertificate",
	"tls_public_key":  "getPublicKey",
}

// Provider is the bridge's description of the provider; version is the
// version it reports, the @pulumi/tls SDK's. metadata is the bridge metadata
// (bridge-metadata.json) that tfgen writes beside the schema and the plugin
// embeds; tfgen itself starts from none (nil).
func Provider(version string, metadata []byte) tfbridge.ProviderInfo {
	if metadata == nil {
		metadata = []byte("{}")
	}
	info := tfbridge.ProviderInfo{
		P:           pfbridge.ShimProvider(shim.Provider()),
		Name:        "tls",
		GitHubOrg:   "hashicorp",
		Version:     version,
		Description: "Private keys, certificates and certificate requests (hashicorp's Terraform TLS provider, bridged by container-labs).",
		Resources:   map[string]*tfbridge.ResourceInfo{},
		DataSources: map[string]*tfbridge.DataSourceInfo{},
		// The bridge for plugin-framework providers requires it, at tfgen time and at run time.
		MetadataInfo: tfbridge.NewProviderMetadata(metadata),
		// As the SDK's schema: resources at schema version 0 keep that version in
		// their state, and previews plan with the provider's own logic.
		EnableZeroDefaultSchemaVersion: true,
		EnableAccurateBridgePreview:    true,
	}
	for tf, class := range resources {
		info.Resources[tf] = &tfbridge.ResourceInfo{Tok: tfbridge.MakeResource(pkg, mod, class)}
	}
	for tf, function := range dataSources {
		info.DataSources[tf] = &tfbridge.DataSourceInfo{Tok: tfbridge.MakeDataSource(pkg, mod, function)}
	}
	return info
}
