import { readFileSync } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import { resolve, runStack } from "../support/mocks";
import { container, env, labContainers, program, published, type Run } from "./helpers";

describe("the docker-basics lab on the local stack", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", program);
  });

  it("runs the signals program from its exec-form and its shell-form image, both kept running", () => {
    for (const form of ["exec", "shell"]) {
      const signals = container(run, `docker-basics-signals-${form}`);
      expect(signals.inputs.mustRun).toBe(true);
      const build = run.ofType("docker-build:index:Image").find((b) => b.name === `docker-basics-signals-${form}-build`)!;
      expect(build.inputs.dockerfile.location).toMatch(new RegExp(`images/docker-basics/signals/Dockerfile\\.${form}$`));
    }
  });

  it("shares save_file between a tailer and a one-shot appender on the named volume t2v", () => {
    expect(container(run, "docker-basics-volume-tail").inputs.volumes).toEqual([{ containerPath: "/usr/src/data", readOnly: false, volumeName: "t2v" }]);
    const append = container(run, "docker-basics-volume-append");
    expect(append.inputs.volumes).toEqual([{ containerPath: "/usr/src/data", readOnly: false, volumeName: "t2v" }]);
    expect(append.inputs.command).toEqual(["append", "appended by the short-lived volume-append container"]);
    expect([append.inputs.mustRun, append.inputs.restart, append.inputs.attach]).toEqual([false, "no", true]);
    expect(append.dependsOn).toEqual(["docker-basics-volume-tail"]);
  });

  it("does the same on a host bind mount, so the file is readable on the host", () => {
    const dir = `${os.homedir()}/.container-labs/local/docker-basics/bind`;
    for (const name of ["docker-basics-bind-tail", "docker-basics-bind-append"]) {
      expect(container(run, name).inputs.volumes).toEqual([{ containerPath: "/usr/src/data", readOnly: false, hostPath: dir }]);
    }
    expect(container(run, "docker-basics-bind-tail").dependsOn).toEqual(["docker-basics-bind-dir"]);
  });

  it("publishes the TCP server 3001 -> 1234 and reaches it by container name on t3n", () => {
    expect(published(run, "docker-basics-tcp-server")).toEqual(["127.0.0.1:3001->1234"]);
    expect(container(run, "docker-basics-tcp-server").inputs.networksAdvanced).toEqual([{ name: "t3n", aliases: ["tcp-server"] }]);
    const client = container(run, "docker-basics-tcp-client");
    expect(client.inputs.networksAdvanced).toEqual([{ name: "t3n", aliases: ["tcp-client"] }]);
    expect(client.inputs.command).toEqual(["client"]);
    expect(env(run, "docker-basics-tcp-client")).toEqual({ SERVER_HOST: "tcp-server", SERVER_PORT: "1234" });
    expect(client.dependsOn).toEqual(["docker-basics-tcp-server"]);
  });

  it("prints the README's nc Try line, which the server's tests run with a real nc", async () => {
    const labs = (await resolve(run.outputs.labs as never)) as Record<string, { tryIt: string[] }>;
    const ncLine = labs["docker-basics"].tryIt.find((line) => line.includes("| nc "));
    expect(ncLine).toBe("echo hi | nc -w 1 localhost 3001");
    expect(readFileSync(join(__dirname, "..", "..", "README.md"), "utf8")).toContain(`\`${ncLine}\``);
  });

  it("labels every container with its lab, stack and service", () => {
    expect(labContainers(run, "docker-basics")).toHaveLength(8);
    expect(container(run, "docker-basics-tcp-server").inputs.labels).toEqual([
      { label: "container-labs.managed-by", value: "pulumi" },
      { label: "container-labs.lab", value: "docker-basics" },
      { label: "container-labs.stack", value: "local" },
      { label: "container-labs.service", value: "tcp-server" },
    ]);
  });
});
