import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { QUEUE_KEY, type JobBounds, type JobStore, type RedisClient } from "@container-labs/kleeweb-kit";
import { ClientError, parseSubmission } from "./submission";

const DEFAULT_LIST_LIMIT = 50;
const LARGEST_LIST_LIMIT = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface JobRouteDeps {
  store: JobStore;
  redis: RedisClient;
  maxSourceBytes: number;
  jobBounds: JobBounds;
  retryAfterSeconds: number;
  /** The submitting client's address (through our nginx, the one it names). */
  clientOf: (request: FastifyRequest) => string;
}

function listLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIST_LIMIT;
  const limit = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= LARGEST_LIST_LIMIT)) {
    throw new ClientError(400, `limit must be an integer from 1 to ${LARGEST_LIST_LIMIT}`);
  }
  return limit;
}

/** The JSON API: submit a job, list jobs, read one job with its output. */
export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  const { store, redis, maxSourceBytes, jobBounds, retryAfterSeconds } = deps;
  app.post("/api/jobs", async (request, reply) => {
    const { source } = parseSubmission(request.body, maxSourceBytes);
    const client = deps.clientOf(request);
    const job = await store.create(randomUUID(), source, client, jobBounds);
    if (job === "client-full" || job === "queue-full") {
      const [status, error] =
        job === "client-full"
          ? [429, `you have ${jobBounds.perClient} unfinished jobs, the most one client may have; submit again when one has finished`]
          : [503, `the queue holds ${jobBounds.total} unfinished jobs, the most it takes; submit again when one has finished`];
      request.log.warn({ client, bounds: jobBounds, refused: job }, "job refused");
      return reply.code(status).header("retry-after", String(retryAfterSeconds)).send({ error });
    }
    try {
      // Recorded first, queued second: a worker never takes an id the table does not know.
      await redis.lPush(QUEUE_KEY, job.id);
    } catch (err) {
      await store.delete(job.id);
      request.log.error({ err, job: job.id }, "could not queue the job");
      return reply.code(503).send({ error: "the job queue is unavailable; try again shortly" });
    }
    request.log.info({ job: job.id, client, bytes: Buffer.byteLength(source) }, "job queued");
    return reply.code(201).send({ id: job.id, status: job.status });
  });

  app.get<{ Querystring: { limit?: string } }>("/api/jobs", async (request) => {
    return { jobs: await store.list(listLimit(request.query.limit)) };
  });

  app.get<{ Params: { id: string } }>("/api/jobs/:id", async (request, reply) => {
    const job = UUID.test(request.params.id) ? await store.get(request.params.id) : undefined;
    if (!job) return reply.code(404).send({ error: `no job with id ${request.params.id}` });
    return job;
  });
}
