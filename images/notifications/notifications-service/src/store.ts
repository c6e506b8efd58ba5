/**
 * The latencies a group's notifications took, kept where the course's
 * grading reads them: the `demo.notification` table of a PostgreSQL
 * database, one row per (experiment, measurement, group), the first one kept.
 */
import { Pool } from "pg";
import type { Logger } from "@container-labs/service-kit";

/** The course's table (its database/ddl/notification.sql), made when it is missing. */
const CREATE_TABLE = `
  CREATE SCHEMA IF NOT EXISTS demo;
  CREATE TABLE IF NOT EXISTS demo.notification (
    experiment_id TEXT,
    measurement_id TEXT,
    group_id TEXT,
    latency DOUBLE PRECISION,
    PRIMARY KEY (experiment_id, measurement_id, group_id)
  )`;

const INSERT = `
  INSERT INTO demo.notification (experiment_id, measurement_id, group_id, latency)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT DO NOTHING`;

/** PostgreSQL's SQLSTATE for "relation does not exist". */
const UNDEFINED_TABLE = "42P01";

/** How long a connection or a statement may take before the notification gets its 500. */
const TIMEOUT_MS = 5000;

export interface LatencyRow {
  experimentId: string;
  measurementId: string;
  groupId: string;
  latency: number;
}

export interface LatencyStore {
  /** Makes the table if it is missing; an insert does it too, so a database that comes up late is fine. */
  prepare(): Promise<void>;
  insert(row: LatencyRow): Promise<void>;
  close(): Promise<void>;
}

export function createLatencyStore(databaseUrl: string, logger: Logger): LatencyStore {
  // Five connections, as the course's service has: inserts are short and the pool bounds the work in flight.
  const pool = new Pool({ connectionString: databaseUrl, max: 5, connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS });
  // An idle connection that the server drops (a restart) must not take the process down; the next query reconnects.
  pool.on("error", (err) => logger.warn({ err }, "an idle database connection failed"));

  let table: Promise<void> | undefined;
  const prepare = (): Promise<void> => {
    table ??= pool.query(CREATE_TABLE).then(
      () => logger.info("table demo.notification ready"),
      (err: unknown) => {
        table = undefined; // try again with the next notification
        throw err;
      },
    );
    return table;
  };

  const insertRow = (row: LatencyRow) => pool.query(INSERT, [row.experimentId, row.measurementId, row.groupId, row.latency]);

  return {
    prepare,
    async insert(row) {
      await prepare();
      try {
        await insertRow(row);
      } catch (err) {
        // The table went away under us (a database recreated on a fresh volume): make it again, once.
        if ((err as { code?: string }).code !== UNDEFINED_TABLE) throw err;
        table = undefined;
        await prepare();
        await insertRow(row);
      }
    },
    close: () => pool.end(),
  };
}
