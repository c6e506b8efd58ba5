/** The `labs` stack output as a person reads it: after `npm run up`, and on demand with `npm run labs`. */

export type LabsOutput = Record<string, { urls: Record<string, string>; tryIt: string[]; details?: Record<string, unknown> }>;

/** Rows padded into columns. */
function columns(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd());
}

/** One row per URL, then every line to try, lab by lab. */
export function formatLabs(labs: LabsOutput): string {
  const rows = [["lab", "what", "where"]];
  for (const [lab, summary] of Object.entries(labs)) {
    Object.entries(summary.urls).forEach(([name, url], index) => rows.push([index === 0 ? lab : "", name, url]));
  }
  const tries = Object.entries(labs).flatMap(([lab, summary]) => (summary.tryIt.length > 0 ? ["", `${lab}:`, ...summary.tryIt.map((line) => `  ${line}`)] : []));
  return [...columns(rows), "", "Try:", ...tries.slice(1)].join("\n");
}
