/**
 * The lab's front door in a real headless Chromium, through nginx in front of
 * the app: the upload form submitted as a person submits it, and uploaded
 * files opened as a visitor would open them.
 */
import { chromium, type Browser, type Page } from "playwright-core";
import { upload } from "../../test/webstack";
import { startStack, type Stack } from "./stack";

jest.setTimeout(60000);

/** A 1x1 PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
/** What a stored XSS would do: run in the site's origin, where it could read the site's pages and cookies. */
const EVIL_SCRIPT = "<script>document.title = 'script ran in ' + location.origin</script>";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ workers: 1 });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  return context.newPage();
}

test("submitting the upload form shows the form again, with a link to the stored file", async () => {
  const page = await newPage();
  await page.goto(stack.url("/upload"));
  await page.setInputFiles('input[name="file"]', { name: "holiday.txt", mimeType: "text/plain", buffer: Buffer.from("sunny") });
  const [response] = await Promise.all([page.waitForNavigation(), page.click('input[type="submit"]')]);
  expect(response?.status()).toBe(201);
  expect(await page.locator("h1").textContent()).toBe("Upload new file");
  expect(await page.locator("role=status").textContent()).toBe("Uploaded holiday.txt (5 bytes).");
  expect(await page.locator('input[type="file"][name="file"]').count()).toBe(1);

  await Promise.all([page.waitForNavigation(), page.click('a[href="/media/holiday.txt"]')]);
  expect(await page.locator("body").textContent()).toBe("sunny");
});

test.each(["evil.html", "evil.svg"])("opening an uploaded %s downloads it: its script never runs in the site's origin", async (name) => {
  const body = name.endsWith(".svg") ? `<svg xmlns="http://www.w3.org/2000/svg">${EVIL_SCRIPT}</svg>` : EVIL_SCRIPT;
  const stored = await upload(stack.url(""), name, body);
  const page = await newPage();
  const [download] = await Promise.all([page.waitForEvent("download"), page.goto(stack.url(stored.body.url!)).catch(() => undefined)]);
  expect(download.suggestedFilename()).toBe(name);
  expect(await page.title()).not.toContain("script ran");
});

test("an uploaded text file holding a script is shown as text, never run", async () => {
  const stored = await upload(stack.url(""), "evil.txt", EVIL_SCRIPT);
  const page = await newPage();
  await page.goto(stack.url(stored.body.url!));
  expect(await page.locator("body").textContent()).toBe(EVIL_SCRIPT);
  expect(await page.title()).not.toContain("script ran");
});

test("an uploaded photo opens as a picture", async () => {
  const stored = await upload(stack.url(""), "photo.png", PNG);
  const page = await newPage();
  const response = await page.goto(stack.url(stored.body.url!));
  expect(response?.headers()["content-type"]).toBe("image/png");
  expect(await page.evaluate("document.images[0] && document.images[0].naturalWidth")).toBe(1);
});
