/**
 * A student's use of each lab through the URLs its stack prints, as the
 * stacks on stand-in machines exercise them (30-ssh-target, 40-swarm): the
 * same steps whether the labs run as containers on one machine or as swarm
 * services over several. Each returns what the test asserts on, or keeps to
 * look for again after a fault.
 */
import { http, tcpLine, type Labs } from "./deployed";

/** A JSON request, with cmpt756's bearer token when one is given. */
export const json = (method: string, body?: unknown, token?: string): RequestInit => ({
  method,
  headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** The webui's count of hashes mined, rising while the workers mine. */
export const hashes = async (labs: Labs): Promise<number> => (await http(`${labs.dockercoins.urls.webui}json`)).json<{ hashes: number }>().hashes;

/** docker-basics' TCP server's answer to one line. */
export async function tcpAnswer(labs: Labs, line: string): Promise<string> {
  const { hostname, port } = new URL(labs["docker-basics"].urls.tcpServer);
  return tcpLine(hostname, Number(port), line);
}

/** A user and a song stored through cmpt756's services. */
export interface StoredSong {
  uid: string;
  musicId: string;
}

/** Registers a user, logs in, and stores a song through cmpt756's services. */
export async function storeSong(labs: Labs): Promise<StoredSong> {
  const { usersApi: users, musicApi: music } = labs.cmpt756.urls;
  const { user_id: uid } = (await http(users, json("POST", { fname: "Ada", lname: "Lovelace", email: "ada@example.org" }))).json<{ user_id: string }>();
  const token = (await http(`${users}login`, json("PUT", { uid }))).text;
  const created = await http(music, json("POST", { Artist: "The Beatles", SongTitle: "Yesterday" }, token));
  if (created.status !== 200) throw new Error(`storing a song answered ${created.status}: ${created.text}`);
  return { uid, musicId: created.json<{ music_id: string }>().music_id };
}

/**
 * The stored song as cmpt756 reads it back after the user logs in again; the
 * login status too, as a login succeeds only for a user the database still holds.
 */
export async function readSong(labs: Labs, stored: StoredSong): Promise<{ login: number; song: unknown }> {
  const { usersApi: users, musicApi: music } = labs.cmpt756.urls;
  const login = await http(`${users}login`, json("PUT", { uid: stored.uid }));
  const song = login.status === 200 ? (await http(`${music}${stored.musicId}`, json("GET", undefined, login.text))).json() : undefined;
  return { login: login.status, song };
}

/** Uploads a file named `name` to webstack; resolves to the URL it is served back at. */
export async function upload(labs: Labs, name: string, body: string): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([body]), name);
  const stored = await http(`${labs.webstack.urls.site}upload`, { method: "POST", body: form, headers: { accept: "application/json" } });
  if (stored.status !== 201) throw new Error(`the upload answered ${stored.status}: ${stored.text}`);
  return new URL(stored.json<{ url: string }>().url, labs.webstack.urls.site).href;
}
