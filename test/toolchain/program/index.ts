/**
 * The program test/toolchain/smoke.sh deploys with the built toolchain: a dynamic
 * resource (the language host and pulumi-resource-pulumi-nodejs).
 */
import * as pulumi from "@pulumi/pulumi";

interface GreetingInputs {
  name: string;
}

/** Runs inside pulumi-resource-pulumi-nodejs: no Go plugin is involved. */
const greetingProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: GreetingInputs) {
    return { id: `greeting-${inputs.name}`, outs: { name: inputs.name, greeting: `hello, ${inputs.name}` } };
  },
  async diff(_id: string, olds: GreetingInputs, news: GreetingInputs) {
    return { changes: olds.name !== news.name, replaces: olds.name !== news.name ? ["name"] : [] };
  },
};

class Greeting extends pulumi.dynamic.Resource {
  declare readonly greeting: pulumi.Output<string>;

  constructor(name: string, args: { name: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(greetingProvider, name, { greeting: undefined, ...args }, opts);
  }
}

const config = new pulumi.Config();
const greeting = new Greeting("greeting", { name: config.require("name") });

export = { greeting: greeting.greeting };
