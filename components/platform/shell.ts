/** Quotes a value for POSIX sh: the only safe way to put config into a script. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
