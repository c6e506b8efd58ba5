// Package codegen stands in for pulumi-dotnet's code generator, which the Go
// module proxy these machines reach does not serve. Providers built with the
// pulumi-go-provider framework import it only to describe, in their schema, how
// a .NET SDK would be generated; the provider itself never generates one. This is
// our own declaration of the fields those providers set (written for
// scripts/pulumi-toolchain.sh), with the JSON names the schema uses.
package codegen

// CSharpPackageInfo is the schema's language.csharp section.
type CSharpPackageInfo struct {
	PackageReferences    map[string]string `json:"packageReferences,omitempty"`
	RespectSchemaVersion bool              `json:"respectSchemaVersion,omitempty"`
}
