import type { Redis } from "@container-labs/dockercoins-kit";

/** The body of `GET /json`, as the course's webui answers it. */
export interface MiningStats {
  /** HLEN wallet */
  coins: number;
  /** GET hashes, as a number (0 before the first worker reports) */
  hashes: number;
  /** The server's clock, epoch seconds with a fraction */
  now: number;
}

export async function readStats(redis: Redis): Promise<MiningStats> {
  const [coins, hashes] = await Promise.all([redis.hLen("wallet"), redis.get("hashes")]);
  return { coins, hashes: Number(hashes ?? 0), now: Date.now() / 1000 };
}
