/**
 * @pulumi/aws, loaded at its first use. Only the ec2 target creates AWS
 * resources, and importing the SDK loads some 300 modules (about a second
 * here): every run of the program, and `npm run up`, on the other targets
 * would pay for it.
 */
import type * as Aws from "@pulumi/aws";

let loaded: typeof Aws | undefined;

export const aws = new Proxy({} as typeof Aws, {
  get: (_target, key) => Reflect.get((loaded ??= require("@pulumi/aws") as typeof Aws), key),
});
