/**
 * Every HTTP service answers a method its path does not take with 405 and an
 * Allow header, as the course's Flask services do, never 404 (issue 26: s1
 * PATCH and s2 PUT were 404). One route of each service, its app built from
 * dist/ as its main builds it (serve-app.js), on a real socket. kleeweb's web
 * and worker build theirs in main: images/kleeweb/web/test/api.test.ts checks web's.
 */
import { join } from "node:path";
import { startService, type ServiceProcess } from "@container-labs/test-kit";

const SERVE_APP = join(__dirname, "serve-app.js");

const SERVICES: Array<[service: string, healthPath: string, method: string, path: string, allow: string]> = [
  ["cmpt756/s1", "/api/v1/user/health", "PATCH", "/api/v1/user/3f0b", "DELETE, GET, HEAD, PUT"],
  ["cmpt756/s2", "/api/v1/music/health", "PUT", "/api/v1/music/3f0b", "DELETE, GET, HEAD"],
  ["cmpt756/db", "/api/v1/datastore/health", "GET", "/api/v1/datastore/write", "POST"],
  ["dockercoins/hasher", "/health", "PUT", "/", "GET, HEAD, POST"],
  ["dockercoins/rng", "/health", "POST", "/32", "GET, HEAD"],
  ["dockercoins/webui", "/health", "POST", "/json", "GET, HEAD"],
  ["dockercoins/worker", "/health", "POST", "/metrics", "GET, HEAD"],
  ["notifications/notifications-service", "/health", "POST", "/api/metrics", "GET, HEAD"],
  ["webstack/app", "/health", "DELETE", "/upload", "GET, HEAD, POST"],
];

describe.each(SERVICES)("%s", (service, healthPath, method, path, allow) => {
  let served: ServiceProcess;
  beforeAll(async () => {
    served = await startService(service, { script: SERVE_APP, args: [service], healthPath });
  }, 30000);
  afterAll(() => served?.stop());

  it(`answers ${method} ${path} with 405 and Allow: ${allow}`, async () => {
    const answer = await fetch(served.url(path), { method });
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe(allow);
  });
});
