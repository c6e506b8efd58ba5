import * as path from "node:path";
import {
  compareContracts,
  contractOf,
  type Property,
  readSchemaContract,
  readSdkContract,
  type Shape,
} from "./dockerSchemaContract";

const SDK_DIR = path.join(__dirname, "../../node_modules/@pulumi/docker");

const optional = (type: string): Property => ({ type, required: false });
const required = (type: string): Property => ({ type, required: true });
const shape = (properties: Record<string, Property>): Shape => new Map(Object.entries(properties));

const contract = contractOf;

describe("the @pulumi/docker SDK, read from its declaration files", () => {
  const sdk = readSdkContract(SDK_DIR);

  it("declares every resource and function by its token", () => {
    expect([...sdk.resources.keys()].sort()).toEqual([
      "docker:index/buildxBuilder:BuildxBuilder",
      "docker:index/container:Container",
      "docker:index/image:Image",
      "docker:index/network:Network",
      "docker:index/plugin:Plugin",
      "docker:index/registryImage:RegistryImage",
      "docker:index/remoteImage:RemoteImage",
      "docker:index/secret:Secret",
      "docker:index/service:Service",
      "docker:index/serviceConfig:ServiceConfig",
      "docker:index/tag:Tag",
      "docker:index/volume:Volume",
    ]);
    expect([...sdk.functions.keys()].sort()).toEqual([
      "docker:index/getLogs:getLogs",
      "docker:index/getNetwork:getNetwork",
      "docker:index/getPlugin:getPlugin",
      "docker:index/getRegistryImage:getRegistryImage",
      "docker:index/getRegistryImageManifests:getRegistryImageManifests",
      "docker:index/getRemoteImage:getRemoteImage",
      "pulumi:providers:docker/terraformConfig",
    ]);
  });

  it("reads a container's inputs with their types and whether they must be given", () => {
    const inputs = sdk.resources.get("docker:index/container:Container")!.inputs;
    expect(inputs.get("image")).toEqual(required("string"));
    expect(inputs.get("envs")).toEqual(optional("string[]"));
    expect(inputs.get("memory")).toEqual(optional("number"));
    expect(inputs.get("networksAdvanced")).toEqual(optional("ContainerNetworksAdvanced[]"));
    expect(inputs.get("logOpts")).toEqual(optional("map<string>"));
    expect(inputs.get("healthcheck")).toEqual(optional("ContainerHealthcheck"));
  });

  it("reads outputs as always set unless their type admits undefined", () => {
    const outputs = sdk.resources.get("docker:index/remoteImage:RemoteImage")!.outputs;
    expect(outputs.get("imageId")).toEqual(required("string"));
    expect(outputs.get("keepLocally")).toEqual(optional("boolean"));
  });

  it("reads functions' arguments and results, the provider's inputs, config and nested types", () => {
    const getNetwork = sdk.functions.get("docker:index/getNetwork:getNetwork")!;
    expect(getNetwork.inputs.get("name")).toEqual(required("string"));
    expect(getNetwork.outputs.get("ipamConfigs")).toEqual(required("GetNetworkIpamConfig[]"));
    expect(sdk.provider.get("registryAuth")).toEqual(optional("ProviderRegistryAuth[]"));
    expect(sdk.config.get("registryAuth")).toEqual(optional("config.RegistryAuth[]"));
    expect(sdk.outputTypes.get("config.RegistryAuth")!.get("address")).toEqual(required("string"));
    expect(sdk.inputTypes.get("ContainerCapabilities")).toEqual(shape({ adds: optional("string[]"), drops: optional("string[]") }));
  });

  it("reads the provider's methods as functions taking no argument", () => {
    expect(sdk.functions.get("pulumi:providers:docker/terraformConfig")).toEqual({
      inputs: new Map(),
      outputs: shape({ result: required("map<any>") }),
    });
  });
});

describe("a Pulumi schema, read into the same shape", () => {
  const plugin = readSchemaContract({
    config: { variables: { registryAuth: { type: "array", items: { $ref: "#/types/docker:config/registryAuth:registryAuth" } } } },
    provider: { inputProperties: { host: { type: "string" } } },
    resources: {
      "docker:index/container:Container": {
        inputProperties: { image: { type: "string" }, memory: { type: "integer" }, ports: { type: "array", items: { $ref: "#/types/docker:index/ContainerPort:ContainerPort" } } },
        requiredInputs: ["image"],
        properties: { image: { type: "string" }, logOpts: { type: "object", additionalProperties: { type: "string" } } },
        required: ["image"],
      },
    },
    functions: {
      "pulumi:providers:docker/terraformConfig": {
        inputs: { properties: { __self__: { $ref: "#/provider" } }, required: ["__self__"] },
        outputs: { properties: { result: { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } } }, required: ["result"] },
      },
    },
    types: {
      "docker:index/ContainerPort:ContainerPort": {
        type: "object",
        properties: { internal: { type: "integer" }, ip: { type: "string" } },
        required: ["internal"],
        language: { nodejs: { requiredOutputs: ["internal", "ip"] } },
      },
    },
  });

  it("names object types as the SDK does, and counts integers as numbers", () => {
    const container = plugin.resources.get("docker:index/container:Container")!;
    expect(container.inputs).toEqual(shape({ image: required("string"), memory: optional("number"), ports: optional("ContainerPort[]") }));
    expect(container.outputs).toEqual(shape({ image: required("string"), logOpts: optional("map<string>") }));
    expect(plugin.config.get("registryAuth")).toEqual(optional("config.RegistryAuth[]"));
  });

  it("takes a provider method's __self__ for the provider it is called on, not an argument", () => {
    expect(plugin.functions.get("pulumi:providers:docker/terraformConfig")).toEqual({
      inputs: new Map(),
      outputs: shape({ result: required("map<any>") }),
    });
  });

  it("marks an output type's property always set as the schema's Node.js section says", () => {
    expect(plugin.inputTypes.get("ContainerPort")!.get("ip")).toEqual(optional("string"));
    expect(plugin.outputTypes.get("ContainerPort")!.get("ip")).toEqual(required("string"));
  });
});

describe("comparing the SDK's contract with what a plugin serves", () => {
  const CONTAINER = "docker:index/container:Container";
  const sdk = contract({
    resources: new Map([
      [CONTAINER, { inputs: shape({ image: required("string"), envs: optional("string[]"), ports: optional("ContainerPort[]") }), outputs: shape({ image: required("string") }) }],
      ["docker:index/image:Image", { inputs: shape({ build: optional("DockerBuild") }), outputs: new Map() }],
    ]),
    inputTypes: new Map([
      ["ContainerPort", shape({ internal: required("number") })],
      ["DockerBuild", shape({ context: optional("string") })],
    ]),
  });
  const served = (container: { inputs: Shape; outputs: Shape }, types = sdk.inputTypes) =>
    contract({ resources: new Map([[CONTAINER, container]]), inputTypes: types });
  const servedAsDeclared = sdk.resources.get(CONTAINER)!;

  it("finds nothing broken when the plugin serves what the SDK declares", () => {
    expect(compareContracts(sdk, served(servedAsDeclared), ["docker:index/image:Image"])).toEqual({ errors: [], extras: [] });
  });

  it("reports a property the plugin names differently, and the plugin's name as an extra", () => {
    const inputs = shape({ image: required("string"), env: optional("string[]"), ports: optional("ContainerPort[]") });
    const findings = compareContracts(sdk, served({ ...servedAsDeclared, inputs }), ["docker:index/image:Image"]);
    expect(findings.errors).toEqual([`${CONTAINER} inputs: 'envs' is missing`]);
    expect(findings.extras).toEqual([`${CONTAINER} inputs: 'env'`]);
  });

  it("reports a different type and a different requiredness", () => {
    const inputs = shape({ image: optional("string"), envs: optional("string"), ports: optional("ContainerPort[]") });
    expect(compareContracts(sdk, served({ ...servedAsDeclared, inputs }), ["docker:index/image:Image"]).errors).toEqual([
      `${CONTAINER} inputs: 'image' is optional, the SDK declares it required`,
      `${CONTAINER} inputs: 'envs' is string, the SDK declares string[]`,
    ]);
  });

  it("checks the object types the compared properties reach", () => {
    const types = new Map([["ContainerPort", shape({ internal: required("string") })]]);
    expect(compareContracts(sdk, served(servedAsDeclared, types), ["docker:index/image:Image"]).errors).toEqual([
      "input type ContainerPort: 'internal' is string, the SDK declares number",
    ]);
  });

  it("reports a missing resource unless it is out of scope, and skips the types only it uses", () => {
    expect(compareContracts(sdk, served(servedAsDeclared)).errors).toEqual(["resource docker:index/image:Image is missing"]);
    expect(compareContracts(sdk, served(servedAsDeclared), ["docker:index/image:Image"]).errors).toEqual([]);
  });
});
