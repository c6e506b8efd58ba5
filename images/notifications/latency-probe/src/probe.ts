/** One probe run: send the notification, check the answer, append it to the output file. */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "@container-labs/service-kit";
import { EXAMPLE_BODY, freshNotifyBody, signGroupToken, type NotifyBody } from "@container-labs/notification-cipher";
import { TOKEN_TTL_SECONDS, type ProbeConfig } from "./config";

export class ProbeError extends Error {
  override name = "ProbeError";
}

function buildBody(config: ProbeConfig): NotifyBody {
  if (config.body.kind === "example") return { ...EXAMPLE_BODY };
  const { cipher_data: _ignored, ...fields } = EXAMPLE_BODY;
  return freshNotifyBody(config.body.key, fields);
}

/** The URL of one try: with a token signed now when the probe speaks for a group. */
async function tryUrl(config: ProbeConfig): Promise<string> {
  if (!config.token) return config.url;
  const url = new URL(config.url);
  url.searchParams.set("token", await signGroupToken(config.token.privateKey, config.token.group, TOKEN_TTL_SECONDS));
  return url.toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs the body, trying again only while the service cannot be reached; any HTTP answer ends the tries. */
async function post(config: ProbeConfig, logger: Logger): Promise<{ status: number; text: string }> {
  // Node loads its HTTP client on the first fetch (tens of milliseconds); do that before a fresh body
  // is stamped, so the latency it carries is the request's and not the probe's start-up.
  if (config.body.kind === "fresh") await (await fetch("data:,")).arrayBuffer();
  let lastError: unknown;
  for (let attempt = 1; attempt <= config.attempts; attempt++) {
    // A fresh token and body per try, so a retried fresh probe still measures its own request.
    const url = await tryUrl(config);
    const body = JSON.stringify(buildBody(config));
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      lastError = err;
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      logger.warn({ attempt, attempts: config.attempts, url: config.url, cause }, "notifications-service not reachable yet");
      if (attempt < config.attempts) await sleep(config.retryDelayMs);
    }
  }
  const cause = (lastError as { cause?: Error }).cause?.message ?? (lastError as Error).message;
  throw new ProbeError(`no answer from ${config.url} after ${config.attempts} attempts: ${cause}`);
}

/** Runs the probe; returns the latency line it appended. Throws ProbeError when it appended nothing. */
export async function runProbe(config: ProbeConfig, logger: Logger): Promise<string> {
  const answer = await post(config, logger);
  if (answer.status !== 200) {
    throw new ProbeError(`${config.url} answered ${answer.status}: ${answer.text}`);
  }
  const latency = answer.text.trim();
  if (!/^-?\d+(\.\d+)?$/.test(latency)) {
    throw new ProbeError(`${config.url} answered 200 but not a latency in seconds: ${JSON.stringify(answer.text)}`);
  }
  logger.info({ url: config.url, body: config.body.kind, group: config.token?.group, status: answer.status, response: latency }, `latency ${latency} s`);
  try {
    await mkdir(dirname(config.outputFile), { recursive: true });
    // One write of one short line with O_APPEND: probes that run at once never interleave.
    await appendFile(config.outputFile, `${latency}\n`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === "EACCES" || code === "EPERM" ? ` (the probe runs as uid ${process.getuid?.()}; let it write there)` : "";
    throw new ProbeError(`cannot append to ${config.outputFile}: ${(err as Error).message}${hint}`);
  }
  logger.info({ file: config.outputFile }, "latency appended");
  return latency;
}
