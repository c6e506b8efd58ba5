/**
 * The body of POST /api/notify, read as leniently as the course's service
 * (poem-openapi 3.0) reads it: members it does not know are ignored, a JSON
 * number or boolean where a string belongs is taken as its text, and
 * notification_type must be one of its two names. Anything else is a problem
 * named in one line.
 */
import { NOTIFICATION_TYPES, isNotificationType, type NotifyBody } from "@container-labs/notification-cipher";

type StringField = Exclude<keyof NotifyBody, "notification_type">;

/** In the order the course's struct declares them, which is the order problems are found in. */
const STRING_FIELDS: readonly StringField[] = ["researcher", "measurement_id", "experiment_id", "cipher_data"];

export type BodyReading = { ok: true; body: NotifyBody } | { ok: false; problem: string };

const problem = (text: string): BodyReading => ({ ok: false, problem: `Invalid request body: ${text}` });

/** A string member's text: strings as they are, numbers and booleans as JSON writes them; undefined for anything else. */
function text(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
      return String(value);
    default:
      return undefined;
  }
}

/** Reads an already parsed JSON value as a notification. */
export function readNotifyBody(value: unknown): BodyReading {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return problem("the body must be a JSON object");
  const record = value as Record<string, unknown>;

  const type = record.notification_type;
  if (type === undefined) return problem("missing field `notification_type`");
  if (!isNotificationType(type)) {
    return problem(`\`notification_type\` must be one of ${NOTIFICATION_TYPES.map((t) => `\`${t}\``).join(", ")}`);
  }
  const body = { notification_type: type } as NotifyBody;
  for (const field of STRING_FIELDS) {
    const member = record[field];
    if (member === undefined) return problem(`missing field \`${field}\``);
    const memberText = text(member);
    if (memberText === undefined) return problem(`\`${field}\` must be a string (a number or a boolean is taken as its text)`);
    body[field] = memberText;
  }
  return { ok: true, body };
}
