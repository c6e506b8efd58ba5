import * as pulumi from "@pulumi/pulumi";
import { Registry } from "../../components/platform/registry";
import { isSecret, resolve, runStack } from "../support/mocks";

const ghcr = () => ({ owner: "acme", username: "builder", token: pulumi.secret("ghp_write_packages") });

describe("the ghcr.io registry's credentials", () => {
  it("pulls on the host with the read-only token when one is given, and pushes from here with the write token", async () => {
    const { outputs: registry } = await runStack("dev", () => new Registry("registry", { ghcr: ghcr(), pullToken: pulumi.secret("ghp_read_packages") }));
    const [pull] = registry.pullCredentials!;
    const [push] = registry.pushCredentials!;
    expect({ address: pull.address, username: pull.username, password: await resolve(pull.password) }).toEqual({ address: "ghcr.io", username: "builder", password: "ghp_read_packages" });
    expect(await resolve(push.password)).toBe("ghp_write_packages");
    expect(await isSecret(pull.password)).toBe(true);
  });

  it("falls back to the push token for pulls when no read-only token is given", async () => {
    const { outputs: registry } = await runStack("dev", () => new Registry("registry", { ghcr: ghcr() }));
    expect(await resolve(registry.pullCredentials![0].password)).toBe("ghp_write_packages");
  });

  it("keeps a read-only token secret even when it arrives as plain text", async () => {
    const { outputs: registry } = await runStack("dev", () => new Registry("registry", { ghcr: ghcr(), pullToken: "ghp_plain" }));
    expect(await isSecret(registry.pullCredentials![0].password)).toBe(true);
  });

  it("has no credentials at all where nothing is pushed (the local target)", async () => {
    const { outputs: registry } = await runStack("local", () => new Registry("registry", { pullToken: "ignored" }));
    expect([registry.pushCredentials, registry.pullCredentials]).toEqual([undefined, undefined]);
  });
});
