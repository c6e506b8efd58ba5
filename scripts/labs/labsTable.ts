/** The `labs` stack output as a table a person reads after `npm run up`. */

export type LabsOutput = Record<string, { urls: Record<string, string>; tryIt: string[]; details?: Record<string, unknown> }>;

/** Rows padded into columns. */
function columns(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd());
}

/** One row per URL, then each lab's first thing to try. */
export function formatLabs(labs: LabsOutput): string {
  const rows = [["lab", "what", "where"]];
  for (const [lab, summary] of Object.entries(labs)) {
    Object.entries(summary.urls).forEach(([name, url], index) => rows.push([index === 0 ? lab : "", name, url]));
  }
  const tries = Object.entries(labs).flatMap(([lab, summary]) => (summary.tryIt[0] ? [`  ${lab}: ${summary.tryIt[0]}`] : []));
  return [...columns(rows), "", "Try:", ...tries, "", "All of it: npm run pulumi -- stack output labs --json"].join("\n");
}
