/**
 * The dynamic provider that makes the local stack's tables, driven against
 * dynalite behind a stand-in for Docker's published port: like docker-proxy
 * while the container's server is still starting, it accepts connections and
 * drops them at once, until the server listens.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from "node:net";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { startDynalite, type Dynamo } from "../../images/cmpt756/db/test/support/stack";
import { localDynamoTableProvider, untilAnswering, type LocalDynamoTableInputs } from "../../components/platform/localDynamoTable";

/** A published port: drops every connection until `serve(port)` names the server behind it. */
async function publishedPort() {
  let target: number | undefined;
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    if (target === undefined) return void client.destroy();
    const upstream = tcpConnect(target, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    serve: (port: number) => (target = port),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

const table = (endpoint: string): LocalDynamoTableInputs =>
  ({ endpoint, region: "us-east-1", tableName: "User-test", hashKey: "user_id", billing: "provisioned", capacity: 5 });

describe("a table in DynamoDB Local", () => {
  let port: Awaited<ReturnType<typeof publishedPort>>;
  let dynamo: Dynamo;

  beforeEach(async () => {
    port = await publishedPort();
    dynamo = await startDynalite();
  });
  afterEach(async () => {
    await port.close();
    await dynamo.stop();
  });

  it("is created once the server behind the port starts listening, not failed by the connections dropped before", async () => {
    const startsAfterMs = 1500;
    setTimeout(() => port.serve(Number(new URL(dynamo.endpoint).port)), startsAfterMs);
    const began = Date.now();

    const created = await localDynamoTableProvider.create!(table(port.endpoint));

    expect(Date.now() - began).toBeGreaterThanOrEqual(startsAfterMs);
    expect(created.id).toBe("User-test");
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: "User-test" }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: "user_id", KeyType: "HASH" }]);
    expect(created.outs.arn).toBe(Table?.TableArn);
  });

  it("is ready as soon as the table is, not after the waiter's default 20-second pause", async () => {
    await dynamo.stop();
    dynamo = await startDynalite(1000); // each table stays CREATING for a second
    port.serve(Number(new URL(dynamo.endpoint).port));
    const began = Date.now();

    await localDynamoTableProvider.create!(table(port.endpoint));

    expect(Date.now() - began).toBeLessThan(5000);
  });

  it("gives up after the wait with an error naming the endpoint, when nothing ever answers", async () => {
    await expect(untilAnswering(table(port.endpoint), 1000)).rejects.toThrow(`DynamoDB Local at ${port.endpoint} did not answer within 1 s`);
  });

  it("counts any HTTP answer as the server being up: an error of the server's is for the real request to report", async () => {
    const refusing = createHttpServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#ValidationException", message: "refused" }));
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    port.serve((refusing.address() as AddressInfo).port);
    try {
      await expect(untilAnswering(table(port.endpoint), 1000)).resolves.toBeUndefined();
    } finally {
      refusing.closeAllConnections();
      await new Promise((resolve) => refusing.close(resolve));
    }
  });
});
