import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";

/** assets/ sits beside dist/ in the image (the Dockerfile copies the whole service directory). */
const PAGE_PATH = join(__dirname, "..", "assets", "index.html");

/** GET /: the submission page, self-contained (no external scripts or styles). */
export function registerPage(app: FastifyInstance): void {
  const page = readFileSync(PAGE_PATH, "utf8");
  app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(page));
}
