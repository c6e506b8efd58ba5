import type { Pool } from "undici";
import { HttpError } from "./errors";

/**
 * boto3's ResponseMetadata, which the course's datastore answered with every
 * read, update and delete: DynamoDB's status, request id and HTTP headers
 * (lower-case names), and how many times the SDK retried.
 */
export interface ResponseMetadata {
  HTTPStatusCode: number;
  RequestId: string;
  HTTPHeaders: Record<string, string>;
  RetryAttempts: number;
}

/** The body of the datastore's GET /read: boto3's Query answer. */
export interface ReadResult {
  Count: number;
  Items: Array<Record<string, unknown>>;
  ScannedCount: number;
  ResponseMetadata: ResponseMetadata;
}

export type Fields = Record<string, unknown>;

type Query = Record<string, string>;

export interface DatastoreClientOptions {
  /** How long one call may take, waiting for a free connection included; then the caller gets a 504. */
  timeoutMs: number;
  /** Connections kept open to the datastore; a call beyond them waits for one to be free. */
  connections: number;
}

/**
 * The datastore API (the db service) as s1 and s2 call it, over a bounded
 * pool of kept-alive connections. A 4xx from the datastore reaches our
 * caller unchanged (a 404 stays a 404, a 400 names the problem); a call that
 * outlasts DB_TIMEOUT_MS is a 504; a 5xx or an unreachable datastore is a 502.
 */
export class DatastoreClient {
  private readonly pool: Pool;
  private readonly basePath: string;

  /** `baseUrl` is the datastore's API root, e.g. http://db:30002/api/v1/datastore. */
  constructor(baseUrl: string, private readonly options: DatastoreClientOptions) {
    const url = new URL(baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, "");
    // Required here, not imported: the kit's other users (the db service) never call the datastore, and undici is a large module.
    const { Pool } = require("undici") as typeof import("undici");
    this.pool = new Pool(url.origin, { connections: options.connections });
  }

  read(objtype: string, objkey: string): Promise<ReadResult> {
    return this.call("GET", "/read", { objtype, objkey });
  }

  /** Stores a new object; the datastore picks its key and answers {"<objtype>_id": "<uuid>"}. */
  write(objtype: string, fields: Fields): Promise<Record<string, string>> {
    return this.call("POST", "/write", undefined, { objtype, ...fields });
  }

  update(objtype: string, objkey: string, fields: Fields): Promise<Fields> {
    return this.call("PUT", "/update", { objtype, objkey }, fields);
  }

  remove(objtype: string, objkey: string): Promise<Fields> {
    return this.call("DELETE", "/delete", { objtype, objkey });
  }

  async health(): Promise<void> {
    await this.call("GET", "/health");
  }

  /** Waits for calls in flight, then closes the connections. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async call<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, query?: Query, body?: Fields): Promise<T> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await this.pool.request({
        method,
        path: `${this.basePath}${path}${query ? `?${new URLSearchParams(query)}` : ""}`,
        headers: body ? { "content-type": "application/json" } : undefined,
        body: body ? JSON.stringify(body) : undefined,
        signal,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (err) {
      if (signal.aborted) {
        throw new HttpError(504, `the datastore did not answer within ${this.options.timeoutMs} ms (DB_TIMEOUT_MS)`);
      }
      throw new HttpError(502, `datastore unreachable: ${(err as Error).message}`);
    }
    const parsed = parseJson(text);
    if (status < 300) return parsed as T;
    const reason = errorText(parsed) ?? text.slice(0, 200);
    if (status < 500) throw new HttpError(status, reason);
    throw new HttpError(502, `datastore answered ${status}: ${reason}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorText(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === "string" ? error : undefined;
}
