/**
 * ghcr.io credentials on the dev stack: pushes from the machine running
 * Pulumi use the write token (registryToken); the EC2 host's engine pulls with a
 * read-only token (registryPullToken) when one is set, so the write token never
 * reaches the host or the Docker provider's stored settings.
 */
import { runStack } from "../support/mocks";
import { program, type Run } from "../labs/helpers";

const providerAuth = (run: Run) => run.ofType("pulumi:providers:docker")[0].inputs.registryAuth as Array<{ address: string; username: string; password: string }>;
const pushAuth = (run: Run) => run.ofType("docker-build:index:Image").map((build) => build.inputs.registries?.[0]?.password);

describe("the ghcr.io credentials of the dev stack", () => {
  it("pull on the host with the read-only token when registryPullToken is set, and push from here with the write token", async () => {
    const run = await runStack("dev", program, { secrets: { registryToken: "ghp_write_packages", registryPullToken: "ghp_read_packages" } });
    expect(providerAuth(run)).toEqual([{ address: "ghcr.io", username: "container-labs", password: "ghp_read_packages" }]);
    expect(new Set(pushAuth(run))).toEqual(new Set(["ghp_write_packages"]));
    expect(run.ofType("pulumi:providers:docker")[0].secretInputs).toContain("registryAuth");
  });

  it("pull with the push token when no read-only token is set, and the preview warns that the host holds a write token", async () => {
    const warnings = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const run = await runStack("dev", program, { secrets: { registryToken: "ghp_write_packages" } });
      expect(providerAuth(run)[0].password).toBe("ghp_write_packages");
      expect(warnings.mock.calls.flat().join("\n")).toContain("registryPullToken is not set, so the Docker host pulls from ghcr.io with registryToken and holds a token that can write");
      warnings.mockClear();
      await runStack("dev", program, { secrets: { registryToken: "ghp_write_packages", registryPullToken: "ghp_read_packages" } });
      expect(warnings.mock.calls.flat().join("\n")).not.toContain("registryPullToken is not set");
    } finally {
      warnings.mockRestore();
    }
  });

  it("exist nowhere on the local target, where nothing is pushed", async () => {
    const run = await runStack("local", program);
    expect(run.ofType("pulumi:providers:docker")[0].inputs.registryAuth).toBeUndefined();
    expect(pushAuth(run).filter((auth) => auth !== undefined)).toEqual([]);
  });
});
