/**
 * Scripts every remote host gets (cloud-init writes them on EC2, the ssh
 * target's bootstrap over SSH), run for real here where they can be: the Docker installer's choice of source, the apt key check with
 * real OpenPGP keys, and the instance-metadata firewall on a miniature Docker
 * host made of network namespaces. The installer and the firewall also run on
 * a booted machine in test/engine/machine.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describeNeeding } from "../support/machineNeeds";
import { ROOT } from "../support/stackConfig";

const REMOTE = path.join(ROOT, "components", "platform", "remote");

function run(command: string, args: string[], options: { input?: string } = {}): { status: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: "utf8", input: options.input });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** /etc/os-release of Ubuntu 24.04, Debian 12 and Fedora 40, as they ship it. */
const OS_RELEASE = {
  "ubuntu-noble": [
    'PRETTY_NAME="Ubuntu 24.04.1 LTS"',
    'NAME="Ubuntu"',
    'VERSION_ID="24.04"',
    'VERSION="24.04.1 LTS (Noble Numbat)"',
    "VERSION_CODENAME=noble",
    "ID=ubuntu",
    "ID_LIKE=debian",
    'HOME_URL="https://www.ubuntu.com/"',
    "UBUNTU_CODENAME=noble",
    "LOGO=ubuntu-logo",
  ],
  "debian-bookworm": [
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
    'NAME="Debian GNU/Linux"',
    'VERSION_ID="12"',
    'VERSION="12 (bookworm)"',
    "VERSION_CODENAME=bookworm",
    "ID=debian",
    'HOME_URL="https://www.debian.org/"',
  ],
  "fedora-40": [
    'NAME="Fedora Linux"',
    'VERSION="40 (Server Edition)"',
    "ID=fedora",
    "VERSION_ID=40",
    'VERSION_CODENAME=""',
    'PLATFORM_ID="platform:f40"',
    'PRETTY_NAME="Fedora Linux 40 (Server Edition)"',
  ],
};

describe("container-labs-install-docker (install-docker.sh): Docker from one of two sources", () => {
  const installer = path.join(REMOTE, "install-docker.sh");
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "install-docker-"));
    for (const [name, lines] of Object.entries(OS_RELEASE)) writeFileSync(path.join(work, name), `${lines.join("\n")}\n`);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("refuses a source it does not know before it changes anything, naming both it knows", () => {
    expect(run("bash", [installer, "ubuntu", "docker-hub"])).toEqual({
      status: 2,
      output: "container-labs-install-docker: unknown Docker source 'docker-hub'; usage: container-labs-install-docker <login user> [docker-repository|distribution]\n",
    });
  });

  /** The installer's own docker_repository function (sourced, the installer only defines its functions) on an os-release file. */
  const repositoryFor = (release: keyof typeof OS_RELEASE) => run("bash", ["-c", 'source "$1" && docker_repository "$2"', "-", installer, path.join(work, release)]);

  it("takes Docker's repository of the machine's distribution: Ubuntu's on Ubuntu 24.04, Debian's on Debian 12", () => {
    expect(repositoryFor("ubuntu-noble")).toEqual({ status: 0, output: "https://download.docker.com/linux/ubuntu noble\n" });
    expect(repositoryFor("debian-bookworm")).toEqual({ status: 0, output: "https://download.docker.com/linux/debian bookworm\n" });
  });

  it("refuses a distribution Docker's apt repository does not serve, naming sshDockerSource: distribution as the way out", () => {
    const fedora = repositoryFor("fedora-40");
    expect(fedora.status).toBe(3);
    expect(fedora.output).toMatch(/^container-labs-install-docker: Docker's apt repository serves Ubuntu and Debian, not ID=fedora \(.*fedora-40\);/);
    expect(fedora.output).toContain("sshDockerSource: distribution (npm run pulumi -- config set sshDockerSource distribution)");
  });
});

/**
 * Stand-ins for the commands the installer runs as root on a machine with
 * none of its packages, each appending its command line to $FAKE_HOST/calls.
 * apt-get install records what it installs, dpkg-query reports it, and
 * systemctl fails to start the metadata firewall while iptables is not
 * installed, as the unit's script (iptables -w ...) does on a real machine.
 */
const FAKE_COMMANDS: Record<string, string> = {
  "dpkg-query": 'grep -qx "${!#}" "$FAKE_HOST/installed" && printf "install ok installed" || { echo "dpkg-query: no packages found matching ${!#}" >&2; exit 1; }',
  "apt-get": '[ "$1" != install ] || for word in "$@"; do case "$word" in install | -*) ;; *) echo "$word" >> "$FAKE_HOST/installed" ;; esac; done',
  systemctl: [
    'if [ "$*" = "enable --now container-labs-imds-firewall.service" ] && ! grep -qx iptables "$FAKE_HOST/installed"; then',
    '  echo "container-labs-imds-firewall: line 22: iptables: command not found" >&2',
    '  echo "Job for container-labs-imds-firewall.service failed because the control process exited with error code." >&2',
    "  exit 1",
    "fi",
  ].join("\n"),
  usermod: "true",
  dpkg: '[ "$1" = --print-architecture ] && echo amd64',
  curl: 'while [ "$#" -gt 0 ]; do [ "$1" = -o ] && echo "Docker\'s key" > "$2"; shift; done',
  "container-labs-verify-key": "true",
};

describe("container-labs-install-docker (install-docker.sh) on a machine without iptables, its commands stood in for", () => {
  const installer = path.join(REMOTE, "install-docker.sh");
  let work: string;
  let bin: string;

  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), "install-docker-run-"));
    bin = path.join(work, "bin");
    mkdirSync(bin);
    for (const [name, body] of Object.entries(FAKE_COMMANDS)) {
      writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "$FAKE_HOST/calls"\n${body}\n`, { mode: 0o755 });
    }
    writeFileSync(path.join(work, "installed"), "");
    writeFileSync(path.join(work, "calls"), "");
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  function install(args: string[]): { status: number | null; output: string; calls: string[] } {
    // --norc: with stdin a socket and no SHLVL, bash -c would read ~/.bashrc as if started by sshd.
    const result = spawnSync("bash", ["--norc", ...args], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_HOST: work } });
    if (result.error) throw result.error;
    const calls = readFileSync(path.join(work, "calls"), "utf8").trim().split("\n");
    // dpkg-query only asks what is installed.
    return { status: result.status, output: `${result.stdout}${result.stderr}`, calls: calls.filter((call) => !call.startsWith("dpkg-query ")) };
  }

  it("from the distribution (run as cloud-init and the bootstrap run it): installs iptables before it starts the metadata firewall, then docker.io", () => {
    const { status, output, calls } = install([installer, "student", "distribution"]);
    expect({ status, output }).toEqual({ status: 0, output: "" });
    expect(calls).toEqual([
      "apt-get update -q",
      "apt-get install -y -q iptables",
      "systemctl daemon-reload",
      "systemctl enable --now container-labs-imds-firewall.service",
      "apt-get update -q",
      "apt-get install -y -q docker.io",
      "usermod -aG docker student",
      "systemctl enable --now docker",
    ]);
  });

  it("from Docker's repository on Debian 12 (sourced, its paths in a scratch directory): Debian's repository, its key checked, iptables before the firewall", () => {
    const osRelease = path.join(work, "os-release");
    writeFileSync(osRelease, `${OS_RELEASE["debian-bookworm"].join("\n")}\n`);
    const [keyrings, sources] = [path.join(work, "keyrings"), path.join(work, "sources.list.d")];
    mkdirSync(sources);
    const { status, output, calls } = install([
      "-c",
      'source "$1" && os_release="$2" apt_keyrings="$3" apt_sources="$4" verify_key=container-labs-verify-key && main student docker-repository',
      "-",
      installer,
      osRelease,
      keyrings,
      sources,
    ]);
    expect({ status, output }).toEqual({ status: 0, output: "" });
    expect(calls).toEqual([
      "apt-get update -q",
      "apt-get install -y -q iptables ca-certificates curl gpg",
      expect.stringMatching(/^curl -fsSL https:\/\/download\.docker\.com\/linux\/debian\/gpg -o \S+$/),
      expect.stringMatching(/^container-labs-verify-key \S+ 9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88$/),
      "dpkg --print-architecture",
      "systemctl daemon-reload",
      "systemctl enable --now container-labs-imds-firewall.service",
      "apt-get update -q",
      "apt-get install -y -q docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin",
      "usermod -aG docker student",
      "systemctl enable --now docker",
    ]);
    expect(readFileSync(path.join(keyrings, "docker.asc"), "utf8")).toBe("Docker's key\n");
    expect(readFileSync(path.join(sources, "docker.list"), "utf8")).toBe(
      `deb [arch=amd64 signed-by=${keyrings}/docker.asc] https://download.docker.com/linux/debian bookworm stable\n`,
    );
  });
});

describe("container-labs-verify-key (verify-key-fingerprint.sh): trusts an apt key only by its fingerprint", () => {
  const verify = path.join(REMOTE, "verify-key-fingerprint.sh");
  let work: string;
  const keys: Record<string, { file: string; fingerprint: string }> = {};

  /** A fresh OpenPGP key, exported armored like Docker's download, with its fingerprint. */
  function makeKey(name: string): { file: string; fingerprint: string } {
    const home = path.join(work, `gnupg-${name}`);
    const gpg = (...args: string[]) => {
      const result = run("gpg", ["--homedir", home, "--batch", "--quiet", ...args]);
      if (result.status !== 0) throw new Error(`gpg ${args.join(" ")}: ${result.output}`);
      return result.output;
    };
    run("mkdir", ["-m", "0700", home]);
    gpg("--passphrase", "", "--quick-gen-key", `${name} <${name}@example.org>`, "ed25519", "sign", "never");
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg("--with-colons", "--list-keys"))![1];
    const file = path.join(work, `${name}.asc`);
    writeFileSync(file, gpg("--armor", "--export"));
    return { file, fingerprint };
  }

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "verify-key-"));
    keys.release = makeKey("release");
    keys.intruder = makeKey("intruder");
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("accepts the key whose fingerprint is expected, written as Docker publishes it (groups of four, any case)", () => {
    const spaced = keys.release.fingerprint.toLowerCase().replace(/(.{4})/g, "$1 ").trim();
    expect(run(verify, [keys.release.file, spaced])).toEqual({ status: 0, output: expect.stringContaining(`is the key ${keys.release.fingerprint}`) });
  });

  it("refuses another key, naming what it found", () => {
    expect(run(verify, [keys.intruder.file, keys.release.fingerprint])).toEqual({
      status: 1,
      output: expect.stringContaining(`holds the primary key(s) [${keys.intruder.fingerprint}], expected exactly ${keys.release.fingerprint}`),
    });
  });

  it("refuses a file holding the expected key and a second one", () => {
    const both = path.join(work, "both.asc");
    writeFileSync(both, readFileSync(keys.release.file, "utf8") + readFileSync(keys.intruder.file, "utf8"));
    expect(run(verify, [both, keys.release.fingerprint]).status).toBe(1);
  });

  it("refuses what is not a key (an error page saved by curl), and a missing file", () => {
    const page = path.join(work, "page.html");
    writeFileSync(page, "<html>503 Service Unavailable</html>\n");
    expect(run(verify, [page, keys.release.fingerprint])).toEqual({ status: 1, output: expect.stringContaining("holds the primary key(s) []") });
    expect(run(verify, [path.join(work, "missing.asc"), keys.release.fingerprint]).status).toBe(1);
  });
});

describeNeeding(
  {
    what: "user and network namespaces with iptables in them",
    skipVariable: "CONTAINER_LABS_NO_NAMESPACES",
    probes: [["unshare", "--user", "--map-root-user", "--net", "--fork", "iptables", "-w", "-S"]],
  },
  "container-labs-imds-firewall (imds-firewall.sh) on a miniature Docker host in network namespaces",
  () => {
    let results: Map<string, string>;
    beforeAll(() => {
      const harness = path.join(ROOT, "test", "platform", "fixtures", "imds-firewall-netns.sh");
      const outcome = run("unshare", ["--user", "--map-root-user", "--net", "--fork", harness, path.join(REMOTE, "imds-firewall.sh")]);
      if (outcome.status !== 0) throw new Error(`the namespace harness failed: ${outcome.output}`);
      results = new Map(outcome.output.trim().split("\n").map((line) => [line.split(" ")[0], line.slice(line.indexOf(" ") + 1)]));
    }, 60_000);

    it("lets a container on the aws-credentials bridge reach the metadata service", () => {
      expect(results.get("datastore-to-imds")).toBe("ok");
    });

    it("refuses a container on any other bridge at once (a TCP reset, not a timeout)", () => {
      const [verdict, milliseconds] = results.get("other-to-imds")!.split(" ");
      expect(verdict).toBe("refused");
      // The time is the behaviour: a reset refuses in milliseconds, a dropped packet waits out the
      // harness's curl --max-time 10. 2 s is far over 3x the one and a fifth of the other.
      expect(Number(milliseconds)).toBeLessThan(2000);
    });

    it("leaves everything else alone: that container's other traffic, and the host's own requests to the metadata service", () => {
      expect(results.get("other-to-elsewhere")).toBe("ok");
      expect(results.get("host-to-imds")).toBe("ok");
    });

    it("can run again (every boot, by hand) without doubling its rules", () => {
      expect(results.get("rules")).toBe("1 3");
    });
  },
);
