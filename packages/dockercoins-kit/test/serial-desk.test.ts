import { Registry } from "prom-client";
import { AbandonedError, SerialDesk, type Place } from "../src/serial-desk";

/**
 * Every pause the desk takes (the lesson's delay), in milliseconds, in order; each is still really
 * waited. Counting the pauses, not timing them, tells two delays from three on any machine.
 */
const pauses: number[] = [];
jest.mock("node:timers/promises", () => {
  const actual = jest.requireActual<typeof import("node:timers/promises")>("node:timers/promises");
  return { ...actual, setTimeout: (ms: number, ...rest: unknown[]) => (pauses.push(ms), actual.setTimeout(ms, ...rest)) };
});
beforeEach(() => pauses.splice(0));

function desk(delayMs: number, capacity = 100): { desk: SerialDesk; registry: Registry } {
  const registry = new Registry();
  return { desk: new SerialDesk({ delayMs, capacity, registry, name: "test" }), registry };
}

/** Serves `work` at a new place and leaves once it is done, as a request answered at once. */
async function serveOnce<T>(serial: SerialDesk, work: () => T | Promise<T>): Promise<T> {
  const place = serial.enter()!;
  try {
    return await place.serve(work);
  } finally {
    place.leave();
  }
}

const metric = async (registry: Registry, name: string): Promise<number> =>
  Number((await registry.getSingleMetricAsString(name)).split(" ").pop());

test("pieces of work run one after another, in arrival order, each after the delay", async () => {
  const { desk: serial } = desk(50);
  const events: string[] = [];
  const results = await Promise.all(
    [1, 2, 3].map((n) =>
      serveOnce(serial, async () => {
        events.push(`after ${pauses.length} pauses of ${pauses.join(", ")} ms`, `start ${n}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`end ${n}`);
        return n * 10;
      }),
    ),
  );
  expect(results).toEqual([10, 20, 30]);
  expect(events).toEqual([
    "after 1 pauses of 50 ms", "start 1", "end 1",
    "after 2 pauses of 50, 50 ms", "start 2", "end 2",
    "after 3 pauses of 50, 50, 50 ms", "start 3", "end 3",
  ]);
});

test("a failing piece of work fails alone and does not block the queue", async () => {
  const { desk: serial } = desk(0);
  const failing = serveOnce(serial, () => {
    throw new Error("boom");
  });
  const next = serveOnce(serial, () => "next");
  await expect(failing).rejects.toThrow("boom");
  await expect(next).resolves.toBe("next");
});

test("it counts finished work and shows how many hold a place", async () => {
  const { desk: serial, registry } = desk(20);
  const work = [serveOnce(serial, () => 1), serveOnce(serial, () => 2)];
  expect(await metric(registry, "test_queue_depth")).toBe(2);
  await Promise.all(work);
  expect(await metric(registry, "test_served_total")).toBe(2);
  expect(await metric(registry, "test_queue_depth")).toBe(0);
});

describe("the line is bounded", () => {
  test("at capacity, enter() turns requests away and counts them; a place given up makes room", async () => {
    const { desk: serial, registry } = desk(0, 2);
    const first = serial.enter()!;
    const second = serial.enter()!;
    expect(serial.full).toBe(true);
    expect(serial.enter()).toBeUndefined();
    expect(await metric(registry, "test_turned_away_total")).toBe(1);
    first.leave();
    expect(serial.full).toBe(false);
    expect(serial.enter()).toBeDefined();
    second.leave();
  });

  test("a place is held until its request has ended and its turn is over, whichever comes last", async () => {
    const { desk: serial } = desk(30, 1);
    const place = serial.enter()!;
    const turn = place.serve(() => "done");
    place.leave(); // answered early, turn still to come: the place stays taken
    expect(serial.enter()).toBeUndefined();
    await expect(turn).rejects.toBeInstanceOf(AbandonedError);
    expect(serial.enter()).toBeDefined();
  });

  test("a request that ends before its turn is skipped without the delay, and is not counted as served", async () => {
    const { desk: serial, registry } = desk(300);
    const ahead = serveOnce(serial, () => "ahead");
    const gone: Place = serial.enter()!;
    const neverRun = jest.fn(() => "never");
    const goneTurn = gone.serve(neverRun);
    gone.leave();
    const behind = serveOnce(serial, () => "behind");
    await expect(goneTurn).rejects.toBeInstanceOf(AbandonedError);
    expect(await Promise.all([ahead, behind])).toEqual(["ahead", "behind"]);
    expect(neverRun).not.toHaveBeenCalled();
    // Two delays (ahead's and behind's), not three.
    expect(pauses).toEqual([300, 300]);
    expect(await metric(registry, "test_served_total")).toBe(2);
  });

  test("a place left before it asked for its turn cannot take one", async () => {
    const { desk: serial } = desk(0);
    const place = serial.enter()!;
    place.leave();
    await expect(place.serve(() => "late")).rejects.toBeInstanceOf(AbandonedError);
  });

  test("Retry-After is about how long so many places take to serve, in whole seconds, at least 1", () => {
    expect(desk(100).desk.secondsToServe(64)).toBe(7);
    expect(desk(100).desk.secondsToServe(4)).toBe(1);
    expect(desk(0).desk.secondsToServe(64)).toBe(1);
  });

  test("a request turned away before asking for a place is counted too", async () => {
    const { desk: serial, registry } = desk(0);
    serial.turnAway();
    expect(await metric(registry, "test_turned_away_total")).toBe(1);
  });
});
