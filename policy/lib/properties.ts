/**
 * Readers for resource properties as a policy receives them: plain JSON whose
 * shape the engine does not promise (a missing list, say), so each reader
 * settles one such question in one place.
 */

/** A list property, or [] when it is absent. */
export function list<T = Record<string, unknown>>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** The stack a resource belongs to, from its URN (urn:pulumi:<stack>::<project>::...). */
export function stackOf(urn: string): string | undefined {
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}
