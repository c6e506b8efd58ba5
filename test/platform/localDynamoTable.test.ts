/**
 * The dynamic provider that makes the local stack's tables, driven against
 * dynalite behind a stand-in for Docker's published port: like docker-proxy
 * while the container's server is still starting, it accepts connections and
 * drops them at once, until the server listens.
 */
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DeleteTableCommand, DescribeTableCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { startDynalite, type Dynamo } from "../../images/cmpt756/test/support/stack";
import { forwardTcp, type TcpForwarder } from "@container-labs/test-kit";
import { localDynamoTableProvider, untilAnswering, type LocalDynamoTableInputs } from "../../components/platform/localDynamoTable";

const table = (endpoint: string): LocalDynamoTableInputs =>
  ({ endpoint, region: "us-east-1", tableName: "User-test", hashKey: "user_id", billing: "provisioned", capacity: 5 });

describe("a table in DynamoDB Local", () => {
  let published: TcpForwarder;
  let endpoint: string;
  let dynamo: Dynamo;

  beforeEach(async () => {
    published = await forwardTcp("127.0.0.1", 0);
    endpoint = `http://127.0.0.1:${published.port}`;
    dynamo = await startDynalite();
  });
  afterEach(async () => {
    published.close();
    await dynamo.stop();
  });

  it("is created once the server behind the port starts listening, not failed by the connections dropped before", async () => {
    const startsAfterMs = 1500;
    setTimeout(() => published.forwardTo(Number(new URL(dynamo.endpoint).port)), startsAfterMs);
    const began = Date.now();

    const created = await localDynamoTableProvider.create!(table(endpoint));

    expect(Date.now() - began).toBeGreaterThanOrEqual(startsAfterMs);
    expect(created.id).toBe("User-test");
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: "User-test" }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: "user_id", KeyType: "HASH" }]);
    expect(created.outs.arn).toBe(Table?.TableArn);
  });

  it("is ready as soon as the table is, not after the waiter's default 20-second pause", async () => {
    await dynamo.stop();
    dynamo = await startDynalite(1000); // each table stays CREATING for a second
    published.forwardTo(Number(new URL(dynamo.endpoint).port));
    const began = Date.now();

    await localDynamoTableProvider.create!(table(endpoint));

    // The time is the behaviour: the table's second in CREATING, then the waiter's next look (1 to 2 s
    // later with minDelay 1) make about 3 s; the default waiter's first pause alone is 20 s. 10 s keeps
    // 3x over the one and stays clear of the other.
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it("on a new machine that kept DynamoDB Local's volume, finds the table with its items; on one that did not, makes it again", async () => {
    published.forwardTo(Number(new URL(dynamo.endpoint).port));
    const { outs } = await localDynamoTableProvider.create!(table(endpoint));
    await dynamo.client.send(new PutItemCommand({ TableName: "User-test", Item: { user_id: { S: "ada" } } }));

    const kept = await localDynamoTableProvider.update!("User-test", outs, table(endpoint));
    expect(kept.outs).toEqual(outs);
    expect((await dynamo.client.send(new GetItemCommand({ TableName: "User-test", Key: { user_id: { S: "ada" } } }))).Item).toEqual({ user_id: { S: "ada" } });

    await dynamo.client.send(new DeleteTableCommand({ TableName: "User-test" }));
    const remade = await localDynamoTableProvider.update!("User-test", outs, table(endpoint));
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: "User-test" }));
    expect({ status: Table?.TableStatus, keys: Table?.KeySchema, arn: remade.outs.arn }).toEqual({ status: "ACTIVE", keys: [{ AttributeName: "user_id", KeyType: "HASH" }], arn: Table?.TableArn });
  });

  it("gives up after the wait with an error naming the endpoint, when nothing ever answers", async () => {
    await expect(untilAnswering(table(endpoint), 1000)).rejects.toThrow(`DynamoDB Local at ${endpoint} did not answer within 1 s`);
  });

  it("counts any HTTP answer as the server being up: an error of the server's is for the real request to report", async () => {
    const refusing = createHttpServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#ValidationException", message: "refused" }));
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    published.forwardTo((refusing.address() as AddressInfo).port);
    try {
      await expect(untilAnswering(table(endpoint), 1000)).resolves.toBeUndefined();
    } finally {
      refusing.closeAllConnections();
      await new Promise((resolve) => refusing.close(resolve));
    }
  });
});

describe("a table of a remote host's DynamoDB Local", () => {
  const ssh = { host: "192.0.2.20", port: 22, user: "student", hostKey: "ssh-ed25519 AAAAold" };
  const onHost = (hostKey: string): LocalDynamoTableInputs => ({ ...table("http://localhost:18000"), ssh: { ...ssh, hostKey }, sshPrivateKey: "key" });
  const state = (inputs: LocalDynamoTableInputs) => ({ ...inputs, arn: "arn:aws:dynamodb:ddblocal:000000000000:table/User-test" });

  it("reached through a new machine's host key, is updated (its state then names the key destroy must meet), not replaced", async () => {
    expect(await localDynamoTableProvider.diff!("User-test", state(onHost(ssh.hostKey)), onHost("ssh-ed25519 AAAAnew"))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
    expect(await localDynamoTableProvider.diff!("User-test", state(onHost(ssh.hostKey)), onHost(ssh.hostKey))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
  });
});
