/** The container-labs policy pack: `pulumi preview --policy-pack policy` (see README.md). */
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./rules";

new PolicyPack("container-labs", { policies: [...resourcePolicies, ...stackPolicies] });
