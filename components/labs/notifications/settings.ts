import * as pulumi from "@pulumi/pulumi";
import type { ConfigReader } from "../../config/reader";

/** The course's published notifications key: the default, since students' probes are written against it. */
export const COURSE_NOTIFICATIONS_KEY = "QJUHsPhnA0eiqHuJqsPgzhDozYO4f1zh";

export interface NotificationsSettings {
  /** The service's --secret-key (32 bytes). */
  secretKey: pulumi.Output<string>;
  /** How many times the probe runs per deployment. */
  probeRuns: number;
}

export function readNotificationsSettings(reader: ConfigReader): NotificationsSettings {
  const secretKey = reader.secret("notificationsSecretKey", (key) => {
    const bytes = Buffer.byteLength(key);
    return bytes === 32 ? undefined : `exactly 32 bytes (the AES-256 key), got ${bytes}`;
  });
  return {
    secretKey: secretKey ?? pulumi.secret(COURSE_NOTIFICATIONS_KEY),
    probeRuns: reader.integer("notificationsProbeRuns", 1, 100),
  };
}
