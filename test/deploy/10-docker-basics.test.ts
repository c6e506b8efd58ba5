/**
 * docker-basics on the deployed ci stack: the signal lesson, the two kinds of
 * storage, and the TCP server reached by container name and by host port.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ciDataDir } from "@container-labs/test-kit";
import { deployed, tcpLine, timed, type Deployed } from "./deployed";

/** Docker's default grace period between SIGTERM and SIGKILL, which the demos keep. */
const GRACE_PERIOD_SECONDS = 10;

let stack: Deployed;
beforeAll(async () => {
  stack = await deployed();
});

describe("docker stop, the lesson of exec form against shell form", () => {
  // Started again afterwards: the stack's containers must keep running for the tests after these.
  afterAll(async () => {
    await stack.docker("start", "docker-basics-signals-exec", "docker-basics-signals-shell");
  });

  it("stops the exec-form demo at once: node is PID 1 and gets SIGTERM", async () => {
    // The time is the behaviour: "at once" against the shell form's 10 s grace period. A third of
    // that period separates the two with 3x margin either way (a stop takes well under a second).
    expect(await timed(() => stack.docker("stop", "docker-basics-signals-exec"))).toBeLessThan(GRACE_PERIOD_SECONDS / 3);
    expect(await stack.docker("inspect", "--format", "{{.State.ExitCode}}", "docker-basics-signals-exec")).toBe("0");
  });

  it("stops the shell-form demo only after the 10 s grace period: /bin/sh swallows SIGTERM and Docker sends SIGKILL", async () => {
    const seconds = await timed(() => stack.docker("stop", "docker-basics-signals-shell"));
    expect(seconds).toBeGreaterThanOrEqual(GRACE_PERIOD_SECONDS - 0.5);
    expect(await stack.docker("inspect", "--format", "{{.State.ExitCode}}", "docker-basics-signals-shell")).toBe("137");
  });
});

describe("storage", () => {
  it("keeps the file the short-lived container appended through the named volume t2v (ci.t2v on the ci stack), seen by the long-lived one", async () => {
    const file = await stack.docker("exec", "docker-basics-volume-tail", "cat", "/usr/src/data/save_file");
    expect(file).toContain("appended by the short-lived volume-append container");
    expect(await stack.docker("inspect", "--format", "{{range .Mounts}}{{.Type}} {{.Name}}{{end}}", "docker-basics-volume-tail")).toBe("volume ci.t2v");
  });

  it("writes the bind-mounted file on the host, readable there", () => {
    const file = readFileSync(join(ciDataDir(), "docker-basics", "bind", "save_file"), "utf8");
    expect(file).toContain("appended by the short-lived bind-append container");
  });
});

describe("the TCP server", () => {
  it("answered the client that reached it by container name on the network t3n", async () => {
    const serverHost = await stack.docker("inspect", "--format", "{{.Config.Hostname}}", "docker-basics-tcp-server");
    expect(await stack.docker("logs", "docker-basics-tcp-client")).toContain(`hello from ${serverHost}, you said:`);
    expect(await stack.docker("inspect", "--format", "{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}", "docker-basics-tcp-client")).toContain("t3n");
  });

  it("answers on host port 3001, as the labs output says", async () => {
    expect(stack.labs["docker-basics"].urls.tcpServer).toBe("tcp://localhost:3001");
    const serverHost = await stack.docker("inspect", "--format", "{{.Config.Hostname}}", "docker-basics-tcp-server");
    expect(await tcpLine("127.0.0.1", 3001, "hi from the test")).toBe(`hello from ${serverHost}, you said: hi from the test`);
  });
});
