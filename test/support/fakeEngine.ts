/**
 * A stand-in for the Docker Engine API on a unix socket, for the scripts that
 * talk to the engine (`npm run up`'s preflight, `npm run down`'s report and
 * --purge): the listings they use, with Docker's filters (label, status,
 * reference), and the removals of volumes and image tags. It keeps what it
 * holds as a test sets it, changes it as the removals ask, and records every
 * request. Answers follow the Engine API (v1.4x) for the fields the scripts read.
 */
import { mkdtempSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FakeContainer {
  Names: string[];
  Labels: Record<string, string>;
  State?: "running" | "created" | "exited" | "dead";
  Ports?: Array<{ PrivatePort: number; PublicPort?: number; IP?: string; Type: string }>;
}
export interface FakeNetwork {
  Name: string;
  Labels: Record<string, string>;
  IPAM?: { Config: Array<{ Subnet?: string }> | null };
}
export interface FakeVolume {
  Name: string;
  Labels: Record<string, string> | null;
  /** A volume a container still uses: Docker refuses to remove it (409). */
  inUse?: boolean;
}
export interface FakeImage {
  Id: string;
  RepoTags: string[];
  Size: number;
}

export interface EngineContents {
  containers?: FakeContainer[];
  networks?: FakeNetwork[];
  volumes?: FakeVolume[];
  images?: FakeImage[];
}

export interface FakeEngine {
  /** unix://<socket>, as localDockerHost names an engine. */
  endpoint: string;
  /** What it holds now. */
  contents: Required<EngineContents>;
  /** Every request, "METHOD path" (with its query string, decoded). */
  requests: string[];
  close(): Promise<void>;
}

/** Docker's label filter: "key" (present) or "key=value". */
function hasLabels(labels: Record<string, string> | null, wanted: string[] | undefined): boolean {
  return (wanted ?? []).every((filter) => {
    const [key, ...rest] = filter.split("=");
    return labels !== null && key in labels && (rest.length === 0 || labels[key] === rest.join("="));
  });
}

/** Docker's reference filter: path.Match on the familiar name, with its tag when the pattern has one ('*' stops at '/'). */
function matchesReference(tag: string, pattern: string): boolean {
  const withTag = /:[^/]*$/.test(pattern);
  const subject = withTag ? tag : tag.replace(/:[^/]*$/, "");
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
  return regex.test(subject);
}

export async function startFakeEngine(initial: EngineContents): Promise<FakeEngine> {
  const contents: Required<EngineContents> = {
    containers: [...(initial.containers ?? [])],
    networks: [...(initial.networks ?? [])],
    volumes: [...(initial.volumes ?? [])],
    images: (initial.images ?? []).map((image) => ({ ...image, RepoTags: [...image.RepoTags] })),
  };
  const requests: string[] = [];
  const socket = join(mkdtempSync(join(tmpdir(), "fake-engine-")), "docker.sock");
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://engine");
    requests.push(`${request.method} ${decodeURIComponent(url.pathname)}${url.search ? decodeURIComponent(url.search) : ""}`);
    const filters = JSON.parse(url.searchParams.get("filters") ?? "{}") as Record<string, string[]>;
    const answer = (status: number, body?: unknown) => {
      response.writeHead(status, { "Content-Type": "application/json" }).end(body === undefined ? "" : JSON.stringify(body));
    };
    const path = decodeURIComponent(url.pathname);
    if (request.method === "GET" && path === "/containers/json") {
      const all = url.searchParams.get("all") === "1";
      return answer(200, contents.containers.filter((container) =>
        (all || (container.State ?? "running") === "running") &&
        hasLabels(container.Labels, filters.label) &&
        (!filters.status || filters.status.includes(container.State ?? "running"))));
    }
    if (request.method === "GET" && path === "/networks") return answer(200, contents.networks.filter((network) => hasLabels(network.Labels, filters.label)));
    if (request.method === "GET" && path === "/volumes") {
      return answer(200, { Volumes: contents.volumes.filter((volume) => hasLabels(volume.Labels, filters.label)).map(({ Name, Labels }) => ({ Name, Labels })), Warnings: null });
    }
    if (request.method === "GET" && path === "/images/json") {
      // Like Docker, an image that matches is listed with all its tags.
      return answer(200, contents.images.filter((image) => !filters.reference || image.RepoTags.some((tag) => filters.reference.some((pattern) => matchesReference(tag, pattern)))));
    }
    if (request.method === "DELETE" && path.startsWith("/volumes/")) {
      const name = path.slice("/volumes/".length);
      const volume = contents.volumes.find((candidate) => candidate.Name === name);
      if (!volume) return answer(404, { message: `get ${name}: no such volume` });
      if (volume.inUse) return answer(409, { message: `remove ${name}: volume is in use` });
      contents.volumes.splice(contents.volumes.indexOf(volume), 1);
      return answer(204);
    }
    if (request.method === "DELETE" && path.startsWith("/images/")) {
      const tag = path.slice("/images/".length);
      const image = contents.images.find((candidate) => candidate.RepoTags.includes(tag));
      if (!image) return answer(404, { message: `No such image: ${tag}` });
      image.RepoTags.splice(image.RepoTags.indexOf(tag), 1);
      if (image.RepoTags.length === 0) contents.images.splice(contents.images.indexOf(image), 1);
      return answer(200, [{ Untagged: tag }, ...(image.RepoTags.length === 0 ? [{ Deleted: image.Id }] : [])]);
    }
    answer(404, { message: "page not found" });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    endpoint: `unix://${socket}`,
    contents,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const MANAGED = { "container-labs.managed-by": "pulumi" };

/** An engine that holds two stacks' leftovers after down (local's and ci's) and things that are not the project's. */
export const TWO_STACKS: EngineContents = {
  volumes: [
    { Name: "postgres_data", Labels: { ...MANAGED, "container-labs.data": "true" } },
    { Name: "webstack_postgres_data", Labels: { ...MANAGED, "container-labs.data": "true" } },
    { Name: "ci.postgres_data", Labels: { ...MANAGED, "container-labs.data": "true" } },
    { Name: "ci.webstack_media", Labels: { ...MANAGED, "container-labs.data": "true" } },
    { Name: "ci.dynamodb-local-data", Labels: { ...MANAGED, "container-labs.data": "true" } },
    // Named like ci's, but not the project's: never listed, never removed.
    { Name: "ci.notes", Labels: null },
    { Name: "someone-elses", Labels: null },
  ],
  images: [
    // One image built for both stacks (the same build): ci's tag goes, local's stays.
    { Id: "sha256:rng", RepoTags: ["container-labs/dockercoins-rng:ci", "container-labs/dockercoins-rng:local"], Size: 0.25 * 1024 ** 3 },
    { Id: "sha256:web-ci", RepoTags: ["container-labs/kleeweb-web:ci"], Size: 0.5 * 1024 ** 3 },
    { Id: "sha256:web-local", RepoTags: ["container-labs/kleeweb-web:local"], Size: 0.5 * 1024 ** 3 },
    { Id: "sha256:postgres", RepoTags: ["postgres:16"], Size: 0.4 * 1024 ** 3 },
  ],
};
