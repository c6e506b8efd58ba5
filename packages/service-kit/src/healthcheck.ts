#!/usr/bin/env node
/**
 * The images' HEALTHCHECK: slim Node images have no curl, so node itself asks
 * the service's health route. HEALTHCHECK_PATH and HEALTHCHECK_PORT come from
 * the Dockerfile; a PORT set at run time wins, as it does for the service.
 */
import { request } from "node:http";

const port = process.env.PORT || process.env.HEALTHCHECK_PORT;
const path = process.env.HEALTHCHECK_PATH || "/health";

if (!port) {
  console.error("healthcheck: neither PORT nor HEALTHCHECK_PORT is set");
  process.exit(1);
}

const req = request({ host: "127.0.0.1", port: Number(port), path, timeout: 3000 }, (res) => {
  res.resume();
  const healthy = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
  if (!healthy) console.error(`healthcheck: ${path} answered ${res.statusCode}`);
  process.exit(healthy ? 0 : 1);
});
req.on("timeout", () => req.destroy(new Error("timed out after 3 s")));
req.on("error", (err) => {
  console.error(`healthcheck: ${err.message}`);
  process.exit(1);
});
req.end();
