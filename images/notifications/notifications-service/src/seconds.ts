/**
 * A float as the course's service prints it (Rust's `{}` for f64): the
 * shortest digits that read back as the same number, and never an exponent,
 * so 1.5e-7 is "0.00000015" and 1e21 is "1000000000000000000000".
 */
export function formatSeconds(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Object.is(value, -0)) return "-0";
  const shortest = String(value);
  if (!shortest.includes("e")) return shortest; // the usual case: JavaScript wrote no exponent
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (!match) return shortest;
  const [, sign, lead, fraction = "", exponentText] = match;
  const digits = lead + fraction;
  const point = 1 + Number(exponentText); // where the decimal point falls within `digits`
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
