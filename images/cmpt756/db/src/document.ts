import { HttpError, type Fields } from "@container-labs/cmpt756-kit";

/**
 * What DynamoDB refuses to store, checked before the call so a client's
 * mistake is a 400 naming it rather than a 500 (and a document nested
 * thousands of levels deep never reaches DynamoDB Local, which it crashed).
 * Limits and size rules: the DynamoDB developer guide, "Quotas" and "Item
 * sizes and formats".
 */
export const MAX_ITEM_BYTES = 400 * 1024;
/** The attribute itself is level 1; each map or list a value sits in adds one. */
export const MAX_NESTING_LEVELS = 32;
const RANGE = "magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125, or 0";
/** DynamoDB's exponent range: x = d.ddd × 10^e with -130 <= e <= 125. */
const EXPONENTS = { min: -130, max: 125 };

/** Where a value sits, as a reader would write it: `stats.history[2]`. */
const child = (path: string, key: string | number): string => (typeof key === "number" ? `${path}[${key}]` : `${path}.${key}`);

function numberBytes(value: number, path: string): number {
  // JSON.parse reads a literal beyond a double's range (1e309) as ±Infinity, which DynamoDB cannot store.
  if (!Number.isFinite(value)) {
    throw new HttpError(400, `${path} is ${value} (a JSON number past a double's range): DynamoDB stores numbers of ${RANGE}`);
  }
  if (value === 0) return 2;
  // toExponential gives JSON's value exactly as DynamoDB will read it: its significant digits and exponent.
  const [mantissa, exponent] = Math.abs(value).toExponential().split("e");
  const e = Number(exponent);
  if (e < EXPONENTS.min || e > EXPONENTS.max) throw new HttpError(400, `${path} is ${value}: DynamoDB stores numbers of ${RANGE}`);
  const digits = mantissa.replace(".", "").length;
  return Math.ceil(digits / 2) + 1;
}

/** The stored size of `value` at `level`, in DynamoDB's accounting; throws a 400 for what it cannot store. */
function valueBytes(value: unknown, path: string, level: number): number {
  if (level > MAX_NESTING_LEVELS) {
    throw new HttpError(400, `${path} is nested more than ${MAX_NESTING_LEVELS} levels deep (the attribute is level 1), DynamoDB's limit`);
  }
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (typeof value === "number") return numberBytes(value, path);
  if (typeof value === "boolean" || value === null) return 1;
  // A list or map: 3 bytes, and 1 more per element besides the element itself.
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value as object);
  let bytes = 3;
  for (const [key, item] of entries) {
    const nameBytes = typeof key === "string" ? Buffer.byteLength(key, "utf8") : 0;
    bytes += 1 + nameBytes + valueBytes(item, child(path, key), level + 1);
  }
  return bytes;
}

/**
 * Checks the fields of an item (a whole one for write and load, the fields an
 * update sets) for what DynamoDB would refuse: an empty field name, a number
 * out of its range, nesting deeper than 32 levels, more than 400 KB.
 */
export function checkItem(fields: Fields): void {
  let bytes = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (name === "") throw new HttpError(400, "a field name is empty; DynamoDB needs at least one character");
    bytes += Buffer.byteLength(name, "utf8") + valueBytes(value, name, 1);
  }
  if (bytes > MAX_ITEM_BYTES) {
    throw new HttpError(400, `the item is ${bytes} bytes; DynamoDB stores at most ${MAX_ITEM_BYTES} bytes (400 KB) per item`);
  }
}
