/**
 * A random secret made once and kept in the stack's state (database
 * passwords, the JWT secret, the loader token). A dynamic provider of ours
 * rather than @pulumi/random, so a stack needs no random plugin; the value
 * is an additional secret output, encrypted in state.
 */
import * as pulumi from "@pulumi/pulumi";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

const provider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: { length: number }, news: { length: number }) {
    const changed = olds.length !== news.length;
    return { changes: changed, replaces: changed ? ["length"] : [] };
  },

  async create(inputs: { length: number }) {
    const { randomInt, randomUUID } = require("node:crypto") as typeof import("node:crypto");
    // randomInt draws uniformly, so every character carries log2(62) bits.
    const result = Array.from({ length: inputs.length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join("");
    return { id: randomUUID(), outs: { length: inputs.length, result } };
  },
};

/** `length` random letters and digits, as `result` (a secret). */
export class GeneratedSecret extends pulumi.dynamic.Resource {
  declare readonly result: pulumi.Output<string>;

  constructor(name: string, args: { length: number }, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { length: args.length, result: undefined }, { ...opts, additionalSecretOutputs: ["result"] }, "container-labs", "GeneratedSecret");
  }
}
