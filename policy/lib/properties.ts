/**
 * Readers for resource properties as a policy receives them: plain JSON whose
 * shape the engine does not promise (a missing list, a provider setting sent
 * as a JSON string), so each reader settles one such question in one place.
 */

/** A list property, or [] when it is absent. */
export function list<T = Record<string, unknown>>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/**
 * A provider setting. Providers receive non-string settings as JSON text
 * (e.g. the aws provider's `endpoints`), so text that parses is parsed.
 */
export function providerSetting(props: Record<string, unknown>, key: string): unknown {
  const value = props[key];
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The stack a resource belongs to, from its URN (urn:pulumi:<stack>::<project>::...). */
export function stackOf(urn: string): string | undefined {
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}
