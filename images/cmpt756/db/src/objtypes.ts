import { HttpError } from "@container-labs/cmpt756-kit";

/** The kinds of object the datastore keeps, each in its own table keyed by `<objtype>_id`. */
export const OBJTYPES = ["user", "music"] as const;
export type Objtype = (typeof OBJTYPES)[number];

export interface TableRef {
  table: string;
  /** The table's hash key (a string): "user_id" or "music_id". */
  key: string;
}

export function isObjtype(value: string): value is Objtype {
  return (OBJTYPES as readonly string[]).includes(value);
}

/** The course's naming: objtype "user" lives in table "User-<suffix>" under key "user_id". */
export function tableRef(objtype: Objtype, suffix: string): TableRef {
  return { table: `${objtype[0].toUpperCase()}${objtype.slice(1)}-${suffix}`, key: `${objtype}_id` };
}

/** Resolves a caller's objtype, or a 400 naming the ones that exist. */
export function resolveObjtype(value: string, suffix: string): TableRef {
  if (!isObjtype(value)) {
    throw new HttpError(400, `unknown objtype ${JSON.stringify(value)}: use one of ${OBJTYPES.join(", ")}`);
  }
  return tableRef(value, suffix);
}
