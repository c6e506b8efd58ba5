/**
 * Issue 11, defect 3: `localDockerHost` was half honoured (the Commands and
 * the builds used the default engine, and kleeweb mounted
 * /var/run/docker.sock whatever the setting). Every part of the program must
 * reach the configured engine.
 */
import { runStack } from "../support/mocks";
import { container, LOCAL_COMMAND, program, type Run } from "../labs/helpers";

const ENDPOINT = "unix:///srv/labs-engine/docker.sock";

describe("a local stack whose engine is not the default one", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", program, { set: { localDockerHost: ENDPOINT } });
  });

  it("gives the Docker provider and the builder that engine", () => {
    expect(run.ofType("pulumi:providers:docker").map((p) => p.inputs.host)).toEqual([ENDPOINT]);
    expect(run.ofType("pulumi:providers:docker-build").map((p) => p.inputs.host)).toEqual([ENDPOINT]);
  });

  it("builds every image with that builder", () => {
    const builds = run.ofType("docker-build:index:Image");
    // The 18 lab images and the workspace image the Node ones build FROM.
    expect(builds).toHaveLength(19);
    for (const build of builds) expect([build.name, build.provider]).toEqual([build.name, expect.stringContaining("::host-builder::")]);
  });

  it("runs every host command (the probe, directories, pids limits, the socket's group) against that engine", () => {
    const commands = run.ofType(LOCAL_COMMAND);
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(["notifications-probe-runs", "kleeweb-docker-socket-group", "docker-basics-bind-dir"]));
    for (const command of commands) expect([command.name, command.inputs.environment]).toEqual([command.name, { DOCKER_HOST: ENDPOINT }]);
  });

  it("hands kleeweb's workers that engine's socket, and asks that socket for its group", () => {
    for (const name of ["kleeweb-worker-1", "kleeweb-worker-2"]) {
      expect(container(run, name).inputs.volumes).toEqual([{ containerPath: "/var/run/docker.sock", readOnly: false, hostPath: "/srv/labs-engine/docker.sock" }]);
    }
    const group = run.ofType(LOCAL_COMMAND).find((c) => c.name === "kleeweb-docker-socket-group")!;
    expect(group.inputs.create).toContain("--volume /srv/labs-engine/docker.sock:/var/run/docker.sock ");
  });
});
