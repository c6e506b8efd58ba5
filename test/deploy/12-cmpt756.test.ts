/**
 * cmpt756 on the deployed ci stack: a user and a song through s1 (30000) and
 * s2 (30001) as a student's Postman collection drives them, the course's
 * sample data loaded by the seed setting, and the datastore kept off the network.
 */
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DYNAMODB_LOCAL_HOST_PORT } from "../../components/platform/dynamo";
import { deployed, http, type Deployed } from "./deployed";

let stack: Deployed;
let users: string;
let music: string;
beforeAll(async () => {
  stack = await deployed();
  ({ usersApi: users, musicApi: music } = stack.labs.cmpt756.urls);
});

const json = (method: string, body?: unknown, token?: string): RequestInit => ({
  method,
  headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

it("creates, logs in, reads, updates and deletes a user through s1 on port 30000", async () => {
  expect(users).toBe("http://localhost:30000/api/v1/user/");
  const created = await http(users, json("POST", { fname: "Ada", lname: "Lovelace", email: "ada@example.org" }));
  expect(created.status).toBe(200);
  const { user_id: id } = created.json<{ user_id: string }>();

  const login = await http(`${users}login`, json("PUT", { uid: id }));
  expect(login.status).toBe(200);
  const token = login.text;

  const read = await http(`${users}${id}`, json("GET", undefined, token));
  expect(read.json()).toMatchObject({ Count: 1, Items: [{ user_id: id, fname: "Ada", lname: "Lovelace", email: "ada@example.org" }] });

  expect((await http(`${users}${id}`, json("PUT", { email: "ada@analytical.engine" }, token))).status).toBe(200);
  expect((await http(`${users}${id}`, json("GET", undefined, token))).json()).toMatchObject({ Items: [{ email: "ada@analytical.engine", fname: "Ada" }] });

  expect((await http(`${users}${id}`, json("DELETE", undefined, token))).status).toBe(200);
  expect((await http(`${users}${id}`, json("GET", undefined, token))).json()).toMatchObject({ Count: 0 });
});

it("creates, reads and deletes a song through s2 on port 30001, with a token from s1", async () => {
  const { user_id: uid } = (await http(users, json("POST", { fname: "Grace", lname: "Hopper", email: "grace@example.org" }))).json<{ user_id: string }>();
  const token = (await http(`${users}login`, json("PUT", { uid }))).text;

  expect((await http(music, json("POST", { Artist: "The Beatles", SongTitle: "Yesterday" }))).status).toBe(401);
  const created = await http(music, json("POST", { Artist: "The Beatles", SongTitle: "Yesterday" }, token));
  expect(created.status).toBe(200);
  const { music_id: id } = created.json<{ music_id: string }>();
  expect((await http(`${music}${id}`, json("GET", undefined, token))).json()).toMatchObject({ Count: 1, Items: [{ music_id: id, Artist: "The Beatles", SongTitle: "Yesterday" }] });
  expect((await http(`${music}${id}`, json("DELETE", undefined, token))).status).toBe(200);
  expect((await http(`${music}${id}`, json("GET", undefined, token))).json()).toMatchObject({ Count: 0 });
  await http(`${users}${uid}`, json("DELETE", undefined, token));
});

it("holds the course's sample data, loaded by the seed setting: 4 users and 6 songs", async () => {
  const [userTable, musicTable] = stack.labs.cmpt756.details!.tables as string[];
  // DynamoDB Local accepts any credentials; the tables are the stack's, on the host's loopback.
  const dynamo = new DynamoDBClient({ endpoint: `http://127.0.0.1:${DYNAMODB_LOCAL_HOST_PORT}`, region: "us-west-2", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  const count = async (table: string) => (await dynamo.send(new ScanCommand({ TableName: table, Select: "COUNT" }))).Count;
  // The tests above delete what they create.
  expect([await count(userTable), await count(musicTable)]).toEqual([4, 6]);
  dynamo.destroy();
});

it("publishes the datastore (db and DynamoDB Local), like every port of the lab, on the host's loopback only", async () => {
  const bindings = async (container: string) =>
    (await stack.docker("inspect", "--format", "{{range $port, $bound := .NetworkSettings.Ports}}{{range $bound}}{{$port}}>{{.HostIp}}:{{.HostPort}} {{end}}{{end}}", container)).trim();
  expect(await bindings("cmpt756-db")).toBe("30002/tcp>127.0.0.1:30002");
  expect(await bindings("dynamodb-local")).toBe(`8000/tcp>127.0.0.1:${DYNAMODB_LOCAL_HOST_PORT}`);
  expect(await bindings("cmpt756-s1")).toBe("30000/tcp>127.0.0.1:30000");
  expect(await bindings("cmpt756-s2")).toBe("30001/tcp>127.0.0.1:30001");
});
