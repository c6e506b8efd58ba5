/** Every *.sh file in the repository, found at run time, passes `bash -n` and shellcheck. */
import { spawnSync } from "node:child_process";
import { REPO_ROOT, shellScripts } from "./repo-files";

function check(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, encoding: "utf8" });
  if (result.error) throw new Error(`${command} could not run (scripts/install-system-deps.sh installs it): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const scripts = shellScripts();

it("finds the project's scripts", () => {
  expect(scripts).toEqual(expect.arrayContaining(["scripts/test.sh", "scripts/install-system-deps.sh"]));
});

describe.each(scripts)("%s", (path) => {
  it("parses (bash -n)", () => {
    expect(check("bash", ["-n", path])).toEqual({ status: 0, output: "" });
  });

  it("passes shellcheck", () => {
    expect(check("shellcheck", ["--external-sources", path])).toEqual({ status: 0, output: "" });
  });
});
