/** The page's speed arithmetic (static/speed.js, plain browser JS that also loads as CommonJS). */
interface Sample {
  now: number;
  hashes: number;
}
interface SpeedApi {
  addSample(samples: Sample[], sample: Sample, windowSeconds: number): void;
  hashRate(samples: Sample[], minSpanSeconds: number): number | null;
}
const { addSample, hashRate } = require("../static/speed.js") as SpeedApi;

/** The course's picture: one worker adds 3 or 4 hashes once a second (3.33/s), sampled every 0.5 s. */
function courseCounter(seconds: number): Sample[] {
  const samples: Sample[] = [];
  for (let t = 0; t <= seconds; t += 0.5) samples.push({ now: 1000 + t, hashes: Math.floor(Math.floor(t) * 3.33) });
  return samples;
}

test("between consecutive samples the course's counter reads 0 half the time: that is the dip", () => {
  const samples = courseCounter(20);
  const instantRates = samples.slice(1).map((sample, i) => (sample.hashes - samples[i].hashes) / 0.5);
  expect(instantRates).toContain(0);
});

test("over a 5 s window the same counter gives a steady speed near 3.33, never 0", () => {
  const window: Sample[] = [];
  const rates: number[] = [];
  for (const sample of courseCounter(30)) {
    addSample(window, sample, 5);
    const rate = hashRate(window, 2);
    if (rate !== null) rates.push(rate);
  }
  expect(rates.length).toBeGreaterThan(40);
  for (const rate of rates.slice(10)) {
    expect(rate).toBeGreaterThan(2.8);
    expect(rate).toBeLessThan(3.9);
  }
});

test("no speed until the samples span the minimum; the window keeps only about its length", () => {
  const window: Sample[] = [];
  addSample(window, { now: 0, hashes: 0 }, 5);
  addSample(window, { now: 1, hashes: 10 }, 5);
  expect(hashRate(window, 2)).toBeNull();
  for (let t = 2; t <= 20; t++) addSample(window, { now: t, hashes: t * 10 }, 5);
  expect(window[window.length - 1].now - window[0].now).toBe(5);
  expect(hashRate(window, 2)).toBe(10);
});

test("a counter that went back (redis emptied) starts the window afresh instead of showing a negative speed", () => {
  const window: Sample[] = [];
  for (let t = 0; t <= 6; t++) addSample(window, { now: t, hashes: 1000 + t * 10 }, 5);
  addSample(window, { now: 7, hashes: 5 }, 5);
  expect(window).toEqual([{ now: 7, hashes: 5 }]);
  addSample(window, { now: 10, hashes: 35 }, 5);
  expect(hashRate(window, 2)).toBe(10);
});

test("a sample no newer than the last is ignored", () => {
  const window: Sample[] = [{ now: 5, hashes: 50 }];
  addSample(window, { now: 5, hashes: 60 }, 5);
  expect(window).toEqual([{ now: 5, hashes: 50 }]);
});
