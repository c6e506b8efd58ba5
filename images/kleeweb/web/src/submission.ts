/** An error whose status code the error handler answers with, and whose message the client sees. */
export class ClientError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = "ClientError";
  }
}

/** Validates a POST /api/jobs body: {"source": "<non-empty C source without NUL, of at most maxSourceBytes bytes>"}. */
export function parseSubmission(body: unknown, maxSourceBytes: number): { source: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ClientError(400, 'the body must be a JSON object such as {"source": "int main(void) { return 0; }"}');
  }
  const source = (body as Record<string, unknown>).source;
  if (source === undefined) throw new ClientError(400, 'the body has no "source" field');
  if (typeof source !== "string") throw new ClientError(400, `"source" must be a string, not ${source === null ? "null" : typeof source}`);
  if (source.trim() === "") throw new ClientError(400, '"source" is empty');
  // PostgreSQL's text type cannot store NUL, and a C source never needs one.
  const nul = source.indexOf("\u0000");
  if (nul >= 0) throw new ClientError(400, `"source" contains a NUL character (\\u0000) at offset ${nul}; remove it`);
  const bytes = Buffer.byteLength(source, "utf8");
  if (bytes > maxSourceBytes) {
    throw new ClientError(413, `"source" is ${bytes} bytes; the limit is ${maxSourceBytes} bytes`);
  }
  return { source };
}
