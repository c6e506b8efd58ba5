import type { Pool, PoolClient } from "pg";
import type { Job, JobResult, JobStatus, JobSummary } from "./jobs";

/** Any number; it only has to be the same in every web replica. */
const SCHEMA_LOCK_ID = 4_004_004;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kleeweb_jobs (
    id          uuid PRIMARY KEY,
    source      text NOT NULL,
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'timed_out')),
    exit_code   integer,
    output      text,
    attempts    integer NOT NULL DEFAULT 0,
    worker_id   text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz
  );
  CREATE INDEX IF NOT EXISTS kleeweb_jobs_created_at ON kleeweb_jobs (created_at DESC);
  -- Who submitted a job (an address), for the per-client bound; tables from before it have NULL there.
  ALTER TABLE kleeweb_jobs ADD COLUMN IF NOT EXISTS client text;
  CREATE INDEX IF NOT EXISTS kleeweb_jobs_unfinished ON kleeweb_jobs (client) WHERE status IN ('queued', 'running');
`;

/** Held while a submission counts the unfinished jobs and adds its own, so two at once cannot both take the last place. */
const SUBMIT_LOCK_ID = 4_004_005;

const SUMMARY_COLUMNS = "id, status, exit_code, attempts, created_at, started_at, finished_at";

/** How many unfinished (queued or running) jobs one client, and everyone together, may have. */
export interface JobBounds {
  perClient: number;
  total: number;
}

/** A job a worker has claimed: attempts counts this run too. */
export interface ClaimedJob {
  id: string;
  source: string;
  attempts: number;
}

/**
 * The kleeweb_jobs table. Every state change a worker makes is conditional on
 * the job being in the state (and held by the worker) it expects, so a worker
 * that lost its job to the reaper can no longer overwrite the result.
 */
export class JobStore {
  constructor(private readonly pool: Pool) {}

  /** Idempotent; the advisory lock keeps two replicas starting together from racing on CREATE. */
  async ensureSchema(): Promise<void> {
    await this.inTransaction(async (query) => {
      await query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK_ID]);
      await query(SCHEMA);
    });
  }

  /** Runs `work` in one transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
  private async inTransaction<T>(work: (query: PoolClient["query"]) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client.query.bind(client) as PoolClient["query"]);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Records a queued job for `client`, unless the client already has
   * `bounds.perClient` unfinished (queued or running) jobs, or everyone
   * together has `bounds.total`: then nothing is recorded and the answer says which.
   */
  async create(id: string, source: string, client: string, bounds: JobBounds): Promise<JobSummary | "client-full" | "queue-full"> {
    return this.inTransaction(async (query) => {
      await query("SELECT pg_advisory_xact_lock($1)", [SUBMIT_LOCK_ID]);
      const { rows: counts } = await query<{ total: number; mine: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE client = $1)::int AS mine
           FROM kleeweb_jobs WHERE status IN ('queued', 'running')`,
        [client],
      );
      if (counts[0].mine >= bounds.perClient) return "client-full";
      if (counts[0].total >= bounds.total) return "queue-full";
      const { rows } = await query<JobSummary>(
        `INSERT INTO kleeweb_jobs (id, source, client) VALUES ($1, $2, $3) RETURNING ${SUMMARY_COLUMNS}`,
        [id, source, client],
      );
      return rows[0];
    });
  }

  async delete(id: string): Promise<void> {
    await this.pool.query("DELETE FROM kleeweb_jobs WHERE id = $1", [id]);
  }

  /** Newest first. */
  async list(limit: number): Promise<JobSummary[]> {
    const { rows } = await this.pool.query<JobSummary>(
      `SELECT ${SUMMARY_COLUMNS} FROM kleeweb_jobs ORDER BY created_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows;
  }

  async get(id: string): Promise<Job | undefined> {
    const { rows } = await this.pool.query<Job>(`SELECT ${SUMMARY_COLUMNS}, output FROM kleeweb_jobs WHERE id = $1`, [id]);
    return rows[0];
  }

  async statusOf(id: string): Promise<JobStatus | undefined> {
    const { rows } = await this.pool.query<{ status: JobStatus }>("SELECT status FROM kleeweb_jobs WHERE id = $1", [id]);
    return rows[0]?.status;
  }

  /** Marks a queued job running on `workerId`; undefined if it is not queued (finished, or someone else's). */
  async claim(id: string, workerId: string): Promise<ClaimedJob | undefined> {
    const { rows } = await this.pool.query<ClaimedJob>(
      `UPDATE kleeweb_jobs
          SET status = 'running', attempts = attempts + 1, worker_id = $2, started_at = now()
        WHERE id = $1 AND status = 'queued'
        RETURNING id, source, attempts`,
      [id, workerId],
    );
    return rows[0];
  }

  /** Records the result; false if the job is no longer this worker's running job. */
  async finish(id: string, workerId: string, result: JobResult): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE kleeweb_jobs
          SET status = $3, exit_code = $4, output = $5, finished_at = now()
        WHERE id = $1 AND worker_id = $2 AND status = 'running'`,
      [id, workerId, result.status, result.exitCode, result.output],
    );
    return rowCount === 1;
  }

  /**
   * Takes a running job back from `workerId` (dead, or stopping): queued again,
   * or failed once it has used up `maxAttempts`. Returns the job's status
   * afterwards, whether or not this call changed it.
   */
  async release(id: string, workerId: string, maxAttempts: number): Promise<JobStatus | undefined> {
    const { rows } = await this.pool.query<{ status: JobStatus }>(
      `UPDATE kleeweb_jobs
          SET status      = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'queued' END,
              output      = CASE WHEN attempts >= $3
                                 THEN 'gave up after ' || attempts || ' attempts: the worker running it stopped before it finished'
                            END,
              finished_at = CASE WHEN attempts >= $3 THEN now() END,
              started_at  = CASE WHEN attempts >= $3 THEN started_at END
        WHERE id = $1 AND worker_id = $2 AND status = 'running'
        RETURNING status`,
      [id, workerId, maxAttempts],
    );
    return rows[0]?.status ?? (await this.statusOf(id));
  }
}
