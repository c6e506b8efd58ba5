import type { PolicyProviderResource } from "@pulumi/policy";
import { list, providerSetting } from "./properties";
import { TYPES } from "./resourceTypes";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether tables made through this provider land in DynamoDB Local: an aws
 * provider whose DynamoDB endpoint is on this machine's loopback, which is
 * how the local stack reaches its DynamoDB Local container.
 */
export function isDynamoDbLocal(provider: PolicyProviderResource | undefined): boolean {
  if (provider?.type !== TYPES.awsProvider) return false;
  const endpoints = list<{ dynamodb?: string }>(providerSetting(provider.props, "endpoints"));
  return endpoints.some(({ dynamodb }) => {
    if (!dynamodb) return false;
    try {
      return LOOPBACK_HOSTS.has(new URL(dynamodb).hostname);
    } catch {
      return false;
    }
  });
}
