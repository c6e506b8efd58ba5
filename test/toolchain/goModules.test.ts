import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { downloadResult } from "../../scripts/pulumi-toolchain/goModules";

describe("downloadResult: what `go mod download -json` said of a module", () => {
  it("is the module's directory when Go downloaded it", () => {
    expect(downloadResult('{"Path": "m", "Version": "v1.0.0", "Dir": "/mod/m@v1.0.0"}')).toEqual({ dir: "/mod/m@v1.0.0" });
  });

  it("is Go's error when the proxy refused it, even where Go names a directory", () => {
    expect(downloadResult('{"Path": "m", "Version": "v1.0.0", "Error": "m@v1.0.0: reading zip: 404 Not Found"}')).toEqual({ error: "m@v1.0.0: reading zip: 404 Not Found" });
    expect(downloadResult('{"Dir": "/mod/m@v1.0.0", "Error": "checksum mismatch"}')).toEqual({ error: "checksum mismatch" });
  });

  it("is what Go printed when that is not JSON (no go.mod answer at all)", () => {
    expect(downloadResult("go: unrecognized import path\n")).toEqual({ error: "go: unrecognized import path" });
    expect(downloadResult("")).toEqual({ error: "no output" });
  });
});

describe("helpers.ts, as the recipes call it", () => {
  const helper = (args: string[]) =>
    spawnSync(process.execPath, ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", join(__dirname, "..", "..", "scripts", "pulumi-toolchain", "helpers.ts"), ...args], { encoding: "utf8" });

  it("prints an npm SDK's version from package-lock.json", () => {
    const { status, stdout } = helper(["sdk-version", "@pulumi/docker"]);
    expect({ status, stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it("fails naming the lock for a package it does not install", () => {
    const { status, stderr } = helper(["sdk-version", "@pulumi/nothing"]);
    expect({ status, stderr }).toEqual({ status: 1, stderr: expect.stringMatching(/^@pulumi\/nothing is not in .*package-lock\.json\n$/) });
  });
});
