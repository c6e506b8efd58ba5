// Package java stands in for pulumi-java's code generator, which the Go module
// proxy these machines reach does not serve. Providers built with the
// pulumi-go-provider framework import it only to describe, in their schema, how
// a Java SDK would be generated; the provider itself never generates one. This is
// our own declaration of the fields those providers set (written for
// scripts/pulumi-toolchain.sh), with the JSON names the schema uses.
package java

// PackageInfo is the schema's language.java section.
type PackageInfo struct {
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
}
