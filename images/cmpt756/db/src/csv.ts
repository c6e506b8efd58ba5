/**
 * The seed files' CSV: a header row naming the columns, then one row per
 * object. Fields are plain text without commas or quotes, which is all our
 * sample data needs; anything else is refused rather than misread.
 */
export function parseCsv(text: string, source: string): Array<Record<string, string>> {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new Error(`${source}: empty, expected a header row`);
  const split = (line: string, number: number): string[] => {
    if (line.includes('"')) throw new Error(`${source}:${number}: quoted fields are not supported`);
    return line.split(",").map((cell) => cell.trim());
  };
  const header = split(lines[0], 1);
  return lines.slice(1).map((line, i) => {
    const cells = split(line, i + 2);
    if (cells.length !== header.length) {
      throw new Error(`${source}:${i + 2}: ${cells.length} fields, the header has ${header.length}`);
    }
    return Object.fromEntries(header.map((column, c) => [column, cells[c]]));
  });
}
