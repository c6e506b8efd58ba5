/**
 * A short load of each lab's own, through the ports the deployed stack
 * publishes (the `labs` output's URLs), as a student's requests reach it:
 * what the memory benchmark measures each container after. Each lab's work
 * is the route its lab benchmark loads (the notify POST, a user read through
 * s1, the site's page...), not a maximum: the containers' memory after real
 * use, at a pace a laptop gives.
 */
import { connect } from "node:net";
import { EXAMPLE_BODY, freshNotifyBody, secretKeyBytes } from "@container-labs/notification-cipher";
import type { labsOutput } from "@container-labs/test-kit";
import { COURSE_NOTIFICATIONS_KEY } from "../config";
import { load, type LoadOptions } from "./harness";

export type Labs = Awaited<ReturnType<typeof labsOutput>>;
type Urls = Record<string, string>;

const CONNECTIONS = 16;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const JSON_TYPE = { "content-type": "application/json" };

async function loadFor(options: LoadOptions): Promise<void> {
  await load({ connections: CONNECTIONS, durationSeconds: seconds, ...options });
}

async function postJson<T>(url: string, body: unknown, method = "POST", token?: string): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { ...JSON_TYPE, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 200)}`);
  return (response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text) as T;
}

/** Sends `count` lines to the TCP echo server, one after the other. */
function tcpLines(url: string, count: number): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let answered = 0;
    socket.setTimeout(10_000, () => socket.destroy(new Error(`${url}: no answer in 10 s`)));
    socket.on("connect", () => socket.write("line 0\n"));
    socket.on("data", (chunk) => {
      answered += chunk.toString().split("\n").length - 1;
      if (answered >= count) socket.end(resolve);
      else socket.write(`line ${answered}\n`);
    });
    socket.on("error", reject);
  });
}

/** Each lab's load, by the lab's name in the `labs` output. */
export const LAB_LOADS: Record<string, (urls: Urls) => Promise<void>> = {
  "docker-basics": (urls) => tcpLines(urls.tcpServer, 1000),
  notifications: async (urls) => {
    const key = secretKeyBytes(COURSE_NOTIFICATIONS_KEY);
    const { cipher_data: _example, ...fields } = EXAMPLE_BODY;
    await loadFor({ url: urls.notify, method: "POST", headers: JSON_TYPE, body: () => JSON.stringify(freshNotifyBody(key, fields)) });
  },
  cmpt756: async (urls) => {
    const { user_id: userId } = await postJson<{ user_id: string }>(urls.usersApi, { fname: "Bench", lname: "Mark", email: "bench@example.org" });
    const token = await postJson<string>(`${urls.usersApi}login`, { uid: userId }, "PUT");
    const { music_id: musicId } = await postJson<{ music_id: string }>(urls.musicApi, { Artist: "Bench", SongTitle: "Mark" }, "POST", token);
    const authorization = { authorization: `Bearer ${token}` };
    await loadFor({ url: `${urls.usersApi}${userId}`, headers: authorization });
    await loadFor({ url: `${urls.musicApi}${musicId}`, headers: authorization });
  },
  webstack: (urls) => loadFor({ url: urls.site }),
  dockercoins: async (urls) => {
    // The workers mine all along; these are a student's looks at the web UI and the lesson's services.
    await loadFor({ url: urls.webui });
    await loadFor({ url: `${urls.rng}32` });
    await loadFor({ url: urls.hasher, method: "POST", headers: { "content-type": "application/octet-stream" }, body: () => "bench" });
  },
  kleeweb: (urls) => loadFor({ url: urls.site }),
};
