import { HttpError } from "./errors";

/** The body of the datastore's GET /read: DynamoDB's Query result without its metadata. */
export interface ReadResult {
  Count: number;
  Items: Array<Record<string, unknown>>;
  ScannedCount: number;
}

export type Fields = Record<string, unknown>;

type Query = Record<string, string>;

/**
 * The datastore API (the db service) as s1 and s2 call it. A 4xx from the
 * datastore reaches our caller unchanged (a 404 stays a 404); a 5xx or an
 * unreachable datastore becomes a 502, which is what it is to our caller.
 */
export class DatastoreClient {
  private readonly baseUrl: string;

  /** `baseUrl` is the datastore's API root, e.g. http://db:30002/api/v1/datastore. */
  constructor(baseUrl: string, private readonly timeoutMs = 5000) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
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

  private async call<T>(method: string, path: string, query?: Query, body?: Fields): Promise<T> {
    const url = `${this.baseUrl}${path}${query ? `?${new URLSearchParams(query)}` : ""}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body ? { "content-type": "application/json" } : undefined,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new HttpError(502, `datastore unreachable: ${cause}`);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return parsed as T;
    const reason = errorText(parsed) ?? text.slice(0, 200);
    if (response.status < 500) throw new HttpError(response.status, reason);
    throw new HttpError(502, `datastore answered ${response.status}: ${reason}`);
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
