/** The worker's two web services: rng for random bytes, hasher for their SHA-256. */
export class Upstream {
  private readonly rngUrl: string;
  private readonly hasherUrl: string;

  constructor(rngUrl: string, hasherUrl: string, private readonly timeoutMs: number) {
    this.rngUrl = rngUrl.replace(/\/+$/, "");
    this.hasherUrl = hasherUrl.replace(/\/+$/, "");
  }

  /** `GET <rng>/<count>`: exactly `count` random bytes. */
  async randomBytes(count: number): Promise<Buffer> {
    const response = await this.call("rng", `${this.rngUrl}/${count}`, { method: "GET" });
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length !== count) throw new Error(`rng sent ${bytes.length} bytes instead of ${count}`);
    return bytes;
  }

  /** `POST <hasher>/`: the hex SHA-256 of `bytes`. */
  async hash(bytes: Buffer): Promise<string> {
    const response = await this.call("hasher", `${this.hasherUrl}/`, {
      method: "POST",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    const hex = (await response.text()).trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`hasher sent ${JSON.stringify(hex.slice(0, 80))}, not a hex SHA-256`);
    return hex;
  }

  private async call(service: string, url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, timeout) is in its cause.
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`${service} unreachable at ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    if (!response.ok) {
      await response.arrayBuffer();
      throw new Error(`${service} answered ${response.status} at ${url}`);
    }
    return response;
  }
}
