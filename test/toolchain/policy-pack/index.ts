/**
 * Reports every dynamic resource it is shown, as an advisory violation, so that
 * test/toolchain/smoke.sh can see in the preview's output that the pack ran.
 */
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("toolchain-smoke", {
  policies: [
    {
      name: "sees-dynamic-resources",
      description: "Names each dynamic resource of the smoke program.",
      enforcementLevel: "advisory",
      validateResource: (args, reportViolation) => {
        if (args.type === "pulumi-nodejs:dynamic:Resource") reportViolation(`policy pack saw ${args.name}`);
      },
    },
  ],
});
