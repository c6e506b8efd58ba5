import type { Redis } from "@container-labs/dockercoins-kit";
import type { Batch } from "./tally";

/** How long redis remembers a worker's last applied batch: far longer than any outage a retry spans. */
const MARKER_TTL_SECONDS = 24 * 60 * 60;

/**
 * Adds a batch to `hashes` and `wallet` at most once, atomically: the
 * worker's marker key holds the last batch applied, so a batch retried after
 * a lost answer (redis failing mid-write) is recognised and skipped.
 */
const APPLY_BATCH = `
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('INCRBY', KEYS[1], ARGV[3]) end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
`;

export const HASHES_KEY = "hashes";
export const WALLET_KEY = "wallet";

export function markerKey(workerId: string): string {
  return `worker:${workerId}:applied-batch`;
}

/** Writes `batch`; resolves once redis has it (now or from an earlier attempt). */
export async function writeBatch(redis: Redis, workerId: string, batch: Batch): Promise<void> {
  const keys = [HASHES_KEY, WALLET_KEY, markerKey(workerId)];
  // sendCommand, not eval() (whose arguments are typed as text): the coins' random bytes go to redis raw.
  const coinArguments = [...batch.coins].flatMap(([hash, bytes]) => [hash, bytes]);
  await redis.sendCommand([
    "EVAL", APPLY_BATCH, String(keys.length), ...keys,
    String(batch.seq), String(MARKER_TTL_SECONDS), String(batch.hashes), ...coinArguments,
  ]);
}
