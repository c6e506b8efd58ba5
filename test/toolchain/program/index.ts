/**
 * The program test/toolchain/smoke.sh deploys with the built toolchain: a dynamic
 * resource always (the language host and pulumi-resource-pulumi-nodejs), and a
 * RandomPassword and a local.Command when config `plugins` names random and
 * command (their plugins are then on PATH).
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as command from "@pulumi/command";

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
const plugins = config.getObject<string[]>("plugins") ?? [];

const greeting = new Greeting("greeting", { name: config.require("name") });
const outputs: Record<string, pulumi.Output<unknown>> = { greeting: greeting.greeting };
if (plugins.includes("random")) {
  const password = new random.RandomPassword("password", { length: 24, special: false });
  outputs.passwordLength = password.result.apply((result) => result.length);
}
if (plugins.includes("command")) {
  outputs.commandOutput = new command.local.Command("echo", { create: "echo built from the module proxy" }).stdout;
}

export = outputs;
