import cluster from "node:cluster";
import type { Logger } from "@container-labs/service-kit";
import { QuotaLedger, type Claim, type MediaQuota } from "./media-quota";
import { removeTemporaryFiles } from "./media-temp";

/** The messages workers and the primary exchange about the media volume. */
const KIND = "webstack-media-quota";
type Request = { kind: typeof KIND; op: "claim"; id: number; bytes: number } | { kind: typeof KIND; op: "settle"; bytes: number; kept: boolean };
type Answer = { kind: typeof KIND; id: number; claim: Claim };

function isRequest(message: unknown): message is Request {
  return (message as Request | undefined)?.kind === KIND && "op" in (message as object);
}

function isAnswer(message: unknown): message is Answer {
  return (message as Answer | undefined)?.kind === KIND && "claim" in (message as object);
}

/**
 * The media volume at start: the uploads a previous run left half-written
 * removed, and the one quota ledger, measured from what is kept there.
 */
export function openMedia(dir: string, quotaBytes: number, logger: Logger): QuotaLedger {
  const leftovers = removeTemporaryFiles(dir);
  if (leftovers.length > 0) logger.warn({ files: leftovers }, "removed unfinished uploads of an earlier run");
  const ledger = new QuotaLedger(dir, quotaBytes);
  logger.info({ usedBytes: ledger.usedBytes, quotaBytes }, "media quota");
  return ledger;
}

/** The quota of a server that is the only process: its claims go to the ledger directly. */
export function localQuota(ledger: QuotaLedger): MediaQuota {
  return {
    claim: async (bytes) => ledger.claim(process.pid, bytes),
    settle: (bytes, kept) => ledger.settle(process.pid, bytes, kept),
  };
}

/**
 * The primary's care of the media volume while workers serve: it keeps the
 * ledger they claim from, and removes what a worker that died mid-upload left behind.
 */
export function keepMedia(dir: string, ledger: QuotaLedger, logger: Logger): void {
  cluster.on("message", (worker, message: unknown) => {
    if (!isRequest(message)) return;
    const pid = worker.process.pid ?? 0;
    if (message.op === "claim") {
      const answer: Answer = { kind: KIND, id: message.id, claim: ledger.claim(pid, message.bytes) };
      worker.send(answer);
    } else {
      ledger.settle(pid, message.bytes, message.kept);
    }
  });
  cluster.on("exit", (worker) => {
    const pid = worker.process.pid ?? 0;
    ledger.forget(pid);
    const unfinished = removeTemporaryFiles(dir, pid);
    if (unfinished.length > 0) logger.warn({ workerPid: pid, files: unfinished }, "removed the unfinished uploads of a worker that died");
  });
}

/** A worker's side of the quota: each claim is a question to the primary's ledger. */
export class ClusterQuota implements MediaQuota {
  private nextId = 0;
  private readonly waiting = new Map<number, (claim: Claim) => void>();

  constructor() {
    process.on("message", (message: unknown) => {
      if (!isAnswer(message)) return;
      this.waiting.get(message.id)?.(message.claim);
      this.waiting.delete(message.id);
    });
  }

  claim(bytes: number): Promise<Claim> {
    return new Promise((resolve) => {
      const id = ++this.nextId;
      this.waiting.set(id, resolve);
      this.send({ kind: KIND, op: "claim", id, bytes });
    });
  }

  settle(bytes: number, kept: boolean): void {
    this.send({ kind: KIND, op: "settle", bytes, kept });
  }

  private send(message: Request): void {
    if (!process.send) throw new Error("the media quota is kept by the primary: run the app through its primary (dist/main.js)");
    process.send(message);
  }
}
