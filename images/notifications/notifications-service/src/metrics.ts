/**
 * GET /api/metrics as the course's service exposes it: OpenMetrics text ending
 * in `# EOF`, served as text/plain like the course's, with its one counter,
 * notifications_service_response_count_total{group, response_type}. The
 * process's own metrics (process_*, nodejs_*) come after it.
 */
import { Counter, Registry, collectDefaultMetrics, type OpenMetricsContentType } from "prom-client";

/** What the course counts, one label value each: */
export type ResponseType =
  /** an accepted notification (and its latency stored, when that applies) */
  | "Ok"
  /** cipher_data that does not open into HashData: every 400 and 500 of decryption */
  | "HashError"
  /** a HashData that does not match the body: the Unexpected ... answers */
  | "InvalidData"
  /** a token that does not verify; counted without a group, since none could be read */
  | "JwtError"
  /** a latency the database would not take */
  | "InsertError";

export interface CourseMetrics {
  /** Counts one answer of POST /api/notify; `group` is the token's `sub`, or "" without a token. */
  count(group: string, type: ResponseType): void;
  /** The exposition text. */
  text(): Promise<string>;
}

export const METRICS_CONTENT_TYPE = "text/plain; charset=utf-8";

export function courseMetrics(): CourseMetrics {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const responses = new Counter({
    name: "notifications_service_response_count",
    help: "Count of response.",
    labelNames: ["group", "response_type"],
    registers: [registry],
  });
  collectDefaultMetrics({ register: registry });
  return {
    count: (group, type) => responses.inc({ group, response_type: type }),
    text: () => registry.metrics(),
  };
}
