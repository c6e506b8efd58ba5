import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface Asset {
  contentType: string;
  body: Buffer;
}

const STATIC_DIR = join(__dirname, "static");

/**
 * The page's files by URL path, read once at start: the page, its scripts,
 * and chart.js's UMD build from the npm package, so the page needs no
 * network beyond webui itself. chart.js's exports map hides dist/, so the
 * file is found beside its CommonJS entry point.
 */
export function loadAssets(): Map<string, Asset> {
  const html = "text/html; charset=utf-8";
  const js = "text/javascript; charset=utf-8";
  const page = readFileSync(join(STATIC_DIR, "index.html"));
  return new Map<string, Asset>([
    ["/", { contentType: html, body: page }],
    ["/index.html", { contentType: html, body: page }],
    ["/speed.js", { contentType: js, body: readFileSync(join(STATIC_DIR, "speed.js")) }],
    ["/app.js", { contentType: js, body: readFileSync(join(STATIC_DIR, "app.js")) }],
    ["/vendor/chart.umd.js", { contentType: js, body: readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.js")) }],
  ]);
}
