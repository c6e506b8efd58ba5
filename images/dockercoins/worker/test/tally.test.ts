import { isCoin, Tally } from "../src/tally";

const bytes = Buffer.alloc(32, 7);
const coin = "0".padEnd(64, "a");
const notCoin = "f".padEnd(64, "a");

describe("Tally", () => {
  test("a coin is a hash starting with 0", () => {
    expect(isCoin(coin)).toBe(true);
    expect(isCoin(notCoin)).toBe(false);
  });

  test("a batch holds every hash counted since the last one, and the coins among them", () => {
    const tally = new Tally();
    expect(tally.nextBatch()).toBeUndefined();
    tally.record(notCoin, bytes);
    tally.record(coin, bytes);
    const batch = tally.nextBatch()!;
    expect(batch.hashes).toBe(2);
    expect([...batch.coins]).toEqual([[coin, bytes]]);
  });

  test("an unconfirmed batch is handed out again unchanged; newer counts wait for the next one", () => {
    const tally = new Tally();
    tally.record(notCoin, bytes);
    const first = tally.nextBatch()!;
    tally.record(notCoin, bytes);
    tally.record(notCoin, bytes);
    expect(tally.nextBatch()).toBe(first);
    expect(first.hashes).toBe(1);
    expect(tally.unrecorded).toBe(3);

    tally.confirm(first);
    const second = tally.nextBatch()!;
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(second.hashes).toBe(2);
    tally.confirm(second);
    expect(tally.unrecorded).toBe(0);
    expect(tally.recorded).toBe(3);
  });

  test("confirming a batch twice does not count it twice", () => {
    const tally = new Tally();
    tally.record(notCoin, bytes);
    const batch = tally.nextBatch()!;
    tally.confirm(batch);
    tally.confirm(batch);
    expect(tally.recorded).toBe(1);
  });
});
