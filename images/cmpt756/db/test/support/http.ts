/** One HTTP call as the lab's tests make them: JSON in, status and parsed body out. */
export interface Answer {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  // any: each test asserts the shape it expects.
  json: any;
  headers: Headers;
}

export interface CallOptions {
  method?: string;
  /** Sent as JSON; a string is sent as is (for malformed JSON). */
  body?: unknown;
  authorization?: string;
}

export async function call(url: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  const response = await fetch(url, {
    method: options.method ?? "GET",
    headers,
    body: typeof options.body === "string" ? options.body : options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
