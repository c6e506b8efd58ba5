import * as pulumi from "@pulumi/pulumi";
import { KEY_BYTES, wrongSecretKeyLength } from "../../../packages/notification-cipher/src/cipher";
import { EXAMPLE_SECRET_KEY } from "../../../packages/notification-cipher/src/example";
import type { ConfigReader } from "../../config/reader";

/** The course's published notifications key (the assignment's example): the default, since students' probes are written against it. */
export const COURSE_NOTIFICATIONS_KEY = EXAMPLE_SECRET_KEY;

export interface NotificationsSettings {
  /** The service's --secret-key (KEY_BYTES, 32 bytes). */
  secretKey: pulumi.Output<string>;
  /** Whether that key is the course's published one (no notificationsSecretKey set), which a printed line may show. */
  secretKeyIsCourses: boolean;
  /** How many times the probe runs per deployment. */
  probeRuns: number;
  /** The student group the probe speaks for with a signed token (the course's ?token=); none: no token. */
  group?: string;
  /** PostgreSQL beside the service, which stores each group's latencies as the course's grading does. */
  database: boolean;
}

function readGroup(reader: ConfigReader): string | undefined {
  const group = reader.optionalString("notificationsGroup");
  reader.check(group === undefined || /^[A-Za-z0-9_.-]{1,64}$/.test(group), "notificationsGroup", group, "a group name of letters, digits, '_', '-' or '.', at most 64 (the token's sub), or empty for no token");
  return group;
}

export function readNotificationsSettings(reader: ConfigReader): NotificationsSettings {
  const secretKey = reader.secret("notificationsSecretKey", (key) => {
    const bytes = wrongSecretKeyLength(key);
    return bytes === undefined ? undefined : `exactly ${KEY_BYTES} bytes (the AES-256 key), got ${bytes}`;
  });
  return {
    secretKey: secretKey ?? pulumi.secret(COURSE_NOTIFICATIONS_KEY),
    secretKeyIsCourses: secretKey === undefined,
    probeRuns: reader.integer("notificationsProbeRuns", 1, 100),
    group: readGroup(reader),
    database: reader.boolean("notificationsDatabase"),
  };
}
