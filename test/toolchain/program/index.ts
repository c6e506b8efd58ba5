/**
 * The program test/toolchain/smoke.sh deploys with the built toolchain: a dynamic
 * resource (the language host and pulumi-resource-pulumi-nodejs). Both report the
 * Node.js they run on, which each finds first on PATH.
 */
import * as pulumi from "@pulumi/pulumi";

interface GreetingInputs {
  name: string;
}

/** Runs inside pulumi-resource-pulumi-nodejs: no Go plugin is involved. */
const greetingProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: GreetingInputs) {
    return { id: `greeting-${inputs.name}`, outs: { name: inputs.name, greeting: `hello, ${inputs.name}`, providerNode: process.version } };
  },
  async diff(_id: string, olds: GreetingInputs, news: GreetingInputs) {
    return { changes: olds.name !== news.name, replaces: olds.name !== news.name ? ["name"] : [] };
  },
};

class Greeting extends pulumi.dynamic.Resource {
  declare readonly greeting: pulumi.Output<string>;
  declare readonly providerNode: pulumi.Output<string>;

  constructor(name: string, args: { name: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(greetingProvider, name, { greeting: undefined, providerNode: undefined, ...args }, opts);
  }
}

const config = new pulumi.Config();
const greeting = new Greeting("greeting", { name: config.require("name") });

export = { greeting: greeting.greeting, programNode: process.version, providerNode: greeting.providerNode };
