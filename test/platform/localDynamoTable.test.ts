/**
 * The dynamic provider that makes the local stack's tables, driven against
 * dynalite behind a stand-in for Docker's published port: like docker-proxy
 * while the container's server is still starting, it accepts connections and
 * drops them at once, until the server listens.
 */
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { startDynalite, type Dynamo } from "../../images/cmpt756/db/test/support/stack";
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

    expect(Date.now() - began).toBeLessThan(5000);
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
