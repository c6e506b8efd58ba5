import { formatSeconds } from "../src/seconds";

describe("formatSeconds prints latencies as the course's service does (Rust's {} for f64)", () => {
  it.each([
    [0.0123, "0.0123"],
    [101466524.7625444, "101466524.7625444"],
    [1, "1"],
    [1.5e-7, "0.00000015"],
    [-2.5e-7, "-0.00000025"],
    [1.2345e-10, "0.00000000012345"],
    [1e21, "1000000000000000000000"],
    [1.5e22, "15000000000000000000000"],
    [-0, "-0"],
    [0, "0"],
  ])("%p -> %s", (value, text) => {
    expect(formatSeconds(value)).toBe(text);
    expect(Number(text)).toBe(value);
  });
});
