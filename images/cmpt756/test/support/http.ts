import { requestAsWritten } from "@container-labs/test-kit";

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

function answer(status: number, text: string, headers: Headers): Answer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, text, json, headers };
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
  return answer(response.status, await response.text(), response.headers);
}

/**
 * A request with no body and exactly `headers`, which fetch cannot send (it
 * drops Content-Length): what `curl -X DELETE -H 'Content-Type:
 * application/json'` sends, or Postman with `Content-Length: 0`.
 */
export async function bodyless(url: string, method: string, headers: Record<string, string>): Promise<Answer> {
  const res = await requestAsWritten(url, { method, headers });
  const received = new Headers();
  for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") received.set(name, value);
  return answer(res.status, res.body, received);
}

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
