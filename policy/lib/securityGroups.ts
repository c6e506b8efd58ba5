import type { PolicyResource } from "@pulumi/policy";
import { ingressOf, type Ingress } from "./network";
import { TYPES } from "./resourceTypes";

/** A security group as AWS applies it: its inline ingress and every separate rule attached to it. */
export interface SecurityGroupIngress {
  /** The group's URN, or a standalone rule's when its group is not in the stack. */
  urn: string;
  name: string;
  ingress: Ingress[];
}

const SEPARATE_RULE_TYPES: readonly string[] = [TYPES.securityGroupRule, TYPES.securityGroupIngressRule];

/**
 * Every security group of the stack with the union of what it lets in. A
 * separate rule joins its group through the dependency its securityGroupId
 * property records (known even before the group's ID is), else by that ID;
 * rules of a group outside the stack are joined by the ID they name.
 */
export function securityGroupsIn(resources: readonly PolicyResource[]): SecurityGroupIngress[] {
  const groups = new Map<string, SecurityGroupIngress>();
  const idToKey = new Map<string, string>();
  for (const group of resources.filter((resource) => resource.type === TYPES.securityGroup)) {
    groups.set(group.urn, { urn: group.urn, name: group.name, ingress: ingressOf(group.type, group.props) });
    if (typeof group.props.id === "string") idToKey.set(group.props.id, group.urn);
  }
  for (const rule of resources.filter((resource) => SEPARATE_RULE_TYPES.includes(resource.type))) {
    const groupId = typeof rule.props.securityGroupId === "string" ? rule.props.securityGroupId : undefined;
    const dependency = rule.propertyDependencies?.securityGroupId?.find((resource) => groups.has(resource.urn));
    const key = dependency?.urn ?? (groupId !== undefined ? (idToKey.get(groupId) ?? `id:${groupId}`) : rule.urn);
    const group = groups.get(key) ?? { urn: key.startsWith("id:") ? rule.urn : key, name: groupId ?? rule.name, ingress: [] };
    group.ingress.push(...ingressOf(rule.type, rule.props));
    groups.set(key, group);
  }
  return [...groups.values()];
}
