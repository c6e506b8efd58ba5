import type { Client } from "pg";

/** The course's User model: `id` serial, `email` unique and required, `active` defaulting to true. */
const USERS_TABLE = `users (
  id serial PRIMARY KEY,
  email text UNIQUE NOT NULL,
  active boolean NOT NULL DEFAULT true
)`;

/** The user `seed-db` adds, the one the course's `seed_db` adds. */
export const SEED_EMAIL = "michael@mherman.org";

/** create-db: drops and recreates the schema, as the course's `create_db` does (db.drop_all(); db.create_all()). */
export async function recreateSchema(client: Client): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("DROP TABLE IF EXISTS users");
    await client.query(`CREATE TABLE ${USERS_TABLE}`);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  }
}

/** ensure-db: creates what is missing and keeps existing data, so production can run it at every start. */
export async function ensureSchema(client: Client): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${USERS_TABLE}`);
}

/** seed-db: adds one user; running it twice keeps one row. Returns whether a row was added. */
export async function seedUser(client: Client, email = SEED_EMAIL): Promise<boolean> {
  const result = await client.query("INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) DO NOTHING", [email]);
  return result.rowCount === 1;
}
