import { request, type Agent, type IncomingHttpHeaders } from "node:http";

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** The path and query sent as written; `url`'s own by default. */
  path?: string;
  headers?: Record<string, string>;
  /** Sent with a Content-Length, or chunked when `headers` has `transfer-encoding: chunked`. */
  body?: Buffer;
  /** The connection to use: Node's global keep-alive agent by default, `false` for a new one closed after the answer. */
  agent?: Agent | false;
}

/**
 * One request sent exactly as given, for what fetch will not send: a path
 * with dot segments (`..`, `%2e%2e`: fetch and the URL class resolve them
 * before a request leaves), a Host header of the test's choosing,
 * Content-Type and Content-Length on a request without a body (fetch drops
 * them), a chunked body, or a connection of the test's choosing. It goes to
 * `url`'s host and port; the answer is read whole.
 */
export function requestAsWritten(url: string, { method = "GET", path, headers, body, agent }: RawRequest = {}): Promise<RawAnswer> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: path ?? pathname + search, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
