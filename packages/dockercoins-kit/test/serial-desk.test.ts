import { Registry } from "prom-client";
import { SerialDesk } from "../src/serial-desk";

function desk(delayMs: number): { desk: SerialDesk; registry: Registry } {
  const registry = new Registry();
  return { desk: new SerialDesk({ delayMs, registry, name: "test" }), registry };
}

test("pieces of work run one after another, in arrival order, each after the delay", async () => {
  const { desk: serial } = desk(50);
  const events: string[] = [];
  const started = performance.now();
  const results = await Promise.all(
    [1, 2, 3].map((n) =>
      serial.serve(async () => {
        events.push(`start ${n}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`end ${n}`);
        return n * 10;
      }),
    ),
  );
  expect(results).toEqual([10, 20, 30]);
  expect(events).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  expect(performance.now() - started).toBeGreaterThanOrEqual(150);
});

test("a failing piece of work fails alone and does not block the queue", async () => {
  const { desk: serial } = desk(0);
  const failing = serial.serve(() => {
    throw new Error("boom");
  });
  const next = serial.serve(() => "next");
  await expect(failing).rejects.toThrow("boom");
  await expect(next).resolves.toBe("next");
});

test("it counts finished work and shows how many wait", async () => {
  const { desk: serial, registry } = desk(20);
  const work = [serial.serve(() => 1), serial.serve(() => 2)];
  expect(await registry.getSingleMetricAsString("test_queue_depth")).toMatch(/test_queue_depth 2$/);
  await Promise.all(work);
  expect(await registry.getSingleMetricAsString("test_served_total")).toMatch(/test_served_total 2$/);
  expect(await registry.getSingleMetricAsString("test_queue_depth")).toMatch(/test_queue_depth 0$/);
});
