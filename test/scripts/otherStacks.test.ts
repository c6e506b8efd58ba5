/**
 * Issue 27, item 9: `npm run up` on an engine that runs another stack's labs.
 * The labs keep the course's container and network names on every stack
 * (students type them) and publish the same ports, so the second stack is
 * refused before anything is created, with what it would share and what to do
 * (its volumes are kept apart by name instead: test/platform/stackNames.test.ts).
 * Against a stand-in for the Engine API (test/support/fakeEngine.ts).
 */
import { checkOtherStacks } from "../../scripts/labs/otherStacks";
import { UserError } from "../../scripts/labs/pulumi";
import type { StateResource } from "../../scripts/labs/stackState";
import { startFakeEngine, type FakeContainer, type FakeEngine } from "../support/fakeEngine";

const MANAGED = { "container-labs.managed-by": "pulumi" };
const container = (name: string, stack: string | undefined, port?: number): FakeContainer => ({
  Names: [`/${name}`],
  Labels: { ...MANAGED, "container-labs.lab": name.split("-")[0], ...(stack ? { "container-labs.stack": stack } : {}) },
  Ports: port ? [{ PrivatePort: 80, PublicPort: port, IP: "127.0.0.1", Type: "tcp" }] : [],
});
const network = (name: string) => ({ Name: name, Labels: { ...MANAGED } });
/** A stack's state as `pulumi stack export` has it, for the containers and networks named. */
const state = (containers: string[], networks: string[] = []): StateResource[] => [
  ...containers.map((name) => ({ type: "docker:index/container:Container", urn: `urn:pulumi:local::container-labs::x$docker:index/container:Container::${name}`, inputs: { name }, outputs: { name } })),
  ...networks.map((name) => ({ type: "docker:index/network:Network", urn: `urn:pulumi:local::container-labs::x$docker:index/network:Network::${name}`, inputs: { name }, outputs: { name } })),
];

let engine: FakeEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

it("refuses a second stack on an engine that runs the ci stack's labs, naming every container and network it would share and both ways out", async () => {
  engine = await startFakeEngine({
    containers: [container("dockercoins-webui", "ci", 8000), container("kleeweb-worker-1", "ci"), container("docker-basics-tcp-server", "ci", 3001), { Names: ["/unrelated"], Labels: {} }],
    networks: [network("dockercoins"), network("kleeweb_network"), { Name: "bridge", Labels: {} }],
  });
  const refusal = checkOtherStacks(engine.endpoint, "local", []);
  await expect(refusal).rejects.toThrow(UserError);
  await expect(refusal).rejects.toThrow(
    [
      `the engine at ${engine.endpoint} runs another stack's labs, and the stack "local" would share their names (the course's container and network names, which students type) and their host ports:`,
      '  - the stack "ci": containers docker-basics-tcp-server, dockercoins-webui, kleeweb-worker-1; networks dockercoins, kleeweb_network',
      "    remove them with: npm run down -- --stack ci (in the checkout that holds its state)",
      `One engine runs one stack's labs at a time. Remove the other stack's labs as above (its data volumes stay, apart from this stack's), or give the stack "local" another engine: npm run pulumi -- config set localDockerHost <endpoint> --stack local`,
    ].join("\n"),
  );
  // Only the project's own resources are asked for, by its label.
  expect(engine.requests).toEqual([
    'GET /containers/json?all=1&filters={"label":["container-labs.managed-by=pulumi"]}',
    'GET /networks?filters={"label":["container-labs.managed-by=pulumi"]}',
  ]);
});

it("names the local stack's down command the other way round", async () => {
  engine = await startFakeEngine({ containers: [container("dockercoins-webui", "local", 8000)], networks: [network("dockercoins")] });
  await expect(checkOtherStacks(engine.endpoint, "ci", [])).rejects.toThrow('  - the stack "local": containers dockercoins-webui; networks dockercoins\n    remove them with: npm run down (in the checkout that holds its state)');
});

it("takes its own containers as its own: labelled with the stack, or made before the label and held by its state; their ports are the stack's", async () => {
  engine = await startFakeEngine({
    containers: [container("dockercoins-webui", "local", 8000), container("docker-basics-tcp-server", undefined, 3001)],
    networks: [network("dockercoins"), network("t3n")],
  });
  const ours = await checkOtherStacks(engine.endpoint, "local", state(["docker-basics-tcp-server"], ["dockercoins", "t3n"]));
  expect(ours).toEqual([
    { name: "dockercoins-webui", stack: "local", ports: [8000] },
    { name: "docker-basics-tcp-server", stack: undefined, ports: [3001] },
  ]);
});

it("refuses containers and networks of an unknown stack (made before the label, not in this stack's state), with the docker commands that remove them", async () => {
  engine = await startFakeEngine({ containers: [container("webstack-app", undefined)], networks: [network("webstack")] });
  await expect(checkOtherStacks(engine.endpoint, "try", [])).rejects.toThrow(
    '  - made by a stack this checkout\'s state of "try" does not know (before containers carried their stack\'s label, or a stack whose state is gone): containers webstack-app; networks webstack\n' +
      "    remove them with its own npm run down, or: docker rm --force webstack-app && docker network rm webstack",
  );
});

it("lists several other stacks one by one", async () => {
  engine = await startFakeEngine({ containers: [container("dockercoins-webui", "ci"), container("webstack-app", "try")], networks: [] });
  const message = await checkOtherStacks(engine.endpoint, "local", []).then(() => "", (err: Error) => err.message);
  expect(message.split("\n").filter((line) => line.startsWith("  - "))).toEqual(['  - the stack "ci": containers dockercoins-webui', '  - the stack "try": containers webstack-app']);
});

it("lets a stack up on an engine that has nothing of the project", async () => {
  engine = await startFakeEngine({ containers: [{ Names: ["/someone-elses"], Labels: {} }], networks: [{ Name: "bridge", Labels: {} }] });
  await expect(checkOtherStacks(engine.endpoint, "local", [])).resolves.toEqual([]);
});
