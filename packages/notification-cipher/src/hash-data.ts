/** HashData: the JSON the cipher carries, checked the way the course's serde struct reads it. */
import { epochSeconds } from "./clock";
import { encryptCipherData } from "./cipher";

export const NOTIFICATION_TYPES = ["OutOfRange", "Stabilized"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface HashData {
  /** null (or absent) means the measurement should not have been notified. */
  notification_type: NotificationType | null;
  researcher: string;
  experiment_id: string;
  measurement_id: string;
  /** Unix epoch seconds, fractional. */
  timestamp: number;
}

/** The body of POST /api/notify. */
export interface NotifyBody {
  notification_type: NotificationType;
  researcher: string;
  measurement_id: string;
  experiment_id: string;
  cipher_data: string;
}

export function isNotificationType(value: unknown): value is NotificationType {
  return (NOTIFICATION_TYPES as readonly unknown[]).includes(value);
}

/**
 * The HashData in `text`, or undefined when it is not one: an object with the
 * three strings, a finite numeric timestamp, and a notification_type that is
 * one of the two names, null or absent. Other members are ignored, as serde does.
 */
export function parseHashData(text: string): HashData | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const type = record.notification_type ?? null;
  if (type !== null && !isNotificationType(type)) return undefined;
  const { researcher, experiment_id, measurement_id, timestamp } = record;
  if (typeof researcher !== "string" || typeof experiment_id !== "string" || typeof measurement_id !== "string") return undefined;
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp)) return undefined;
  return { notification_type: type, researcher, experiment_id, measurement_id, timestamp };
}

export type NotificationFields = Omit<NotifyBody, "cipher_data">;

/**
 * A notify body whose cipher_data carries the same fields and `timestamp`
 * (now by default), so the service's answer is the real request latency.
 */
export function freshNotifyBody(key: Uint8Array, fields: NotificationFields, timestamp: number = epochSeconds()): NotifyBody {
  const hashData: HashData = {
    notification_type: fields.notification_type,
    researcher: fields.researcher,
    experiment_id: fields.experiment_id,
    measurement_id: fields.measurement_id,
    timestamp,
  };
  return { ...fields, cipher_data: encryptCipherData(key, JSON.stringify(hashData)) };
}
