/**
 * Swagger UI in a real headless Chromium, as a student uses it: the page
 * loaded from an address that is neither `localhost` nor the course's port
 * 3000 (as on a remote machine, or with portRemap), "Try it out", "Execute".
 * The request must go back to the address the page came from, and answer 200.
 */
import { chromium, type Browser } from "playwright-core";
import { join } from "node:path";
import { EXAMPLE_SECRET_KEY, EXAMPLE_TIMESTAMP } from "@container-labs/notification-cipher";
import { startService, type ServiceProcess } from "@container-labs/test-kit";

jest.setTimeout(60000);

const script = join(__dirname, "..", "dist", "main.js");

let service: ServiceProcess;
let browser: Browser;

beforeAll(async () => {
  service = await startService("notifications-service", { script, args: ["--secret-key", EXAMPLE_SECRET_KEY] });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

test("Try it out sends the example to the address the page was loaded from, which answers 200 with the example's age", async () => {
  // 127.0.0.1 on a free port: a document that named localhost:3000 would send the request there instead.
  expect(service.port).not.toBe(3000);
  const page = await browser.newPage();
  await page.goto(service.url("/"));
  await page.locator(".opblock-post .opblock-summary").first().click();
  await page.getByRole("button", { name: "Try it out" }).click();
  const [answer] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === "POST"),
    page.getByRole("button", { name: "Execute" }).click(),
  ]);
  expect(answer.url()).toBe(service.url("/api/notify"));
  expect(answer.status()).toBe(200);
  // The assignment's 2023 request: its age in seconds, a minute's leeway.
  expect(Math.abs(Number(await answer.text()) - (Date.now() / 1000 - EXAMPLE_TIMESTAMP))).toBeLessThan(60);
  // What Swagger UI shows the student: the same address and status.
  await expect(page.locator(".request-url pre").textContent()).resolves.toBe(service.url("/api/notify"));
});
