import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolchainLayout } from "../../scripts/pulumi-toolchain/layout";
import { compareVersions, nearestServedVersion, resolvedFile, resolvedVersion, sdkVersion, type ModuleProxy } from "../../scripts/pulumi-toolchain/versions";

describe("sdkVersion", () => {
  const lock = JSON.stringify({ packages: { "": {}, "node_modules/@pulumi/pulumi": { version: "3.270.0" } } });

  it("is the version package-lock.json installs of the npm package", () => {
    expect(sdkVersion(lock, "@pulumi/pulumi")).toBe("3.270.0");
  });

  it("is undefined for a package the lock does not install", () => {
    expect(sdkVersion(lock, "@pulumi/tls")).toBeUndefined();
  });

  it("reads the project's own lock", () => {
    expect(sdkVersion(readFileSync(join(__dirname, "..", "..", "package-lock.json"), "utf8"), "@pulumi/pulumi")).toMatch(/^3\.\d+\.\d+$/);
  });
});

describe("compareVersions", () => {
  it("orders versions part by part, as numbers, as `sort -V` does", () => {
    expect(["3.274.0", "3.99.0", "3.270.1", "3.270.0", "10.0.0", "3.270.0-alpha.1"].sort(compareVersions)).toEqual([
      "3.99.0",
      "3.270.0",
      "3.270.0-alpha.1",
      "3.270.1",
      "3.274.0",
      "10.0.0",
    ]);
    expect(compareVersions("0.0.22", "0.0.22")).toBe(0);
  });
});

/** A module proxy that lists `listed` and serves the zips of `whole` only, as the proxy here does for some versions. */
function proxyServing(listed: string[], whole: string[]): ModuleProxy & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    serves: async (_module, version) => {
      asked.push(version);
      return whole.includes(version);
    },
    versions: async () => listed,
  };
}

describe("nearestServedVersion", () => {
  it("is the wanted version when the proxy serves it, asking nothing more", async () => {
    const proxy = proxyServing(["3.270.0", "3.274.0"], ["3.270.0", "3.274.0"]);
    expect(await nearestServedVersion(proxy, "github.com/pulumi/pulumi/pkg/v3", "3.270.0")).toBe("3.270.0");
    expect(proxy.asked).toEqual(["3.270.0"]);
  });

  it("is the lowest release above it that the proxy serves whole, skipping pre-releases, lower versions and listed-but-refused zips", async () => {
    const proxy = proxyServing(["3.99.0", "3.275.0", "3.271.0-alpha.1", "3.272.0", "3.274.0", "3.270.0"], ["3.99.0", "3.271.0-alpha.1", "3.274.0", "3.275.0"]);
    expect(await nearestServedVersion(proxy, "github.com/pulumi/pulumi/pkg/v3", "3.270.0")).toBe("3.274.0");
    expect(proxy.asked).toEqual(["3.270.0", "3.270.0", "3.272.0", "3.274.0"]);
  });

  it("is undefined when nothing at or above it is served", async () => {
    expect(await nearestServedVersion(proxyServing(["1.0.0", "2.0.0"], ["1.0.0"]), "m", "1.5.0")).toBeUndefined();
  });
});

describe("resolvedVersion", () => {
  let cache: string;
  beforeEach(() => (cache = mkdtempSync(join(tmpdir(), "toolchain-resolved-"))));
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it("keeps the answer where the toolchain has always kept it, and asks the proxy nothing the second time", async () => {
    const layout = toolchainLayout({ CONTAINER_LABS_CACHE: cache });
    const proxy = proxyServing(["3.274.0"], ["3.274.0"]);
    expect(await resolvedVersion(layout, proxy, "github.com/pulumi/pulumi/pkg/v3", "3.270.0")).toBe("3.274.0");
    const file = resolvedFile(layout, "github.com/pulumi/pulumi/pkg/v3", "3.270.0");
    expect({ file, text: readFileSync(file, "utf8") }).toEqual({ file: `${cache}/pulumi-toolchain/resolved/github.com_pulumi_pulumi_pkg_v3@3.270.0`, text: "3.274.0\n" });
    proxy.asked.length = 0;
    expect(await resolvedVersion(layout, proxy, "github.com/pulumi/pulumi/pkg/v3", "3.270.0")).toBe("3.274.0");
    expect(proxy.asked).toEqual([]);
  });
});
