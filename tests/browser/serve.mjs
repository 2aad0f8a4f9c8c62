// `portolan serve` in headless Chromium: the page reloads by itself after an
// edit, a broken edit shows the errors over the last good page (under the
// portal's CSP, with no console errors), and the next good edit removes them.
// tests/browser.rs runs:
//
//   node tests/browser/serve.mjs URL CATALOG_FILE
//
// URL is a component page served by `portolan serve`, CATALOG_FILE the
// entity file behind it (which this script edits). serve has no file://
// mode: it is a server by definition.
import { chromium } from "playwright-core";
import fs from "node:fs";
import assert from "node:assert/strict";

const [url, file] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const results = [];
async function scenario(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok    ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL  ${name}\n${e && e.stack ? e.stack : e}`);
  }
}

const page = await browser.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const original = fs.readFileSync(file, "utf8");
const edit = (from, to) => {
  const text = fs.readFileSync(file, "utf8");
  assert.ok(text.includes(from), `${from} is in ${file}`);
  fs.writeFileSync(file, text.replace(from, to));
};
// A value on `window` survives until the page is loaded again.
const mark = () => page.evaluate(() => { window.__notReloaded = true; });
const reloaded = () => page.waitForFunction(() => window.__notReloaded === undefined, null, { timeout: 60000 });

await page.goto(url, { waitUntil: "load" });
// The EventSource must be open before the first edit.
await page.waitForFunction(() => performance.getEntriesByType("resource").some((r) => r.name.includes("/__portolan/events")), null, { timeout: 10000 }).catch(() => {});
await page.waitForTimeout(500);

await scenario("an edit reloads the page with the new content", async () => {
  await mark();
  edit("description: Stores", "description: Browser-edited, stores");
  await reloaded();
  await page.waitForLoadState("load");
  assert.ok((await page.content()).includes("Browser-edited, stores"));
});

await scenario("a broken edit shows the errors over the last good page", async () => {
  await page.waitForTimeout(300);
  await mark();
  edit("  owner: tracking-team\n", "  owner: [tracking-team\n");
  const overlay = page.locator("#portolan-serve-overlay");
  await overlay.waitFor({ state: "visible", timeout: 60000 });
  const text = await overlay.locator("pre").textContent();
  assert.match(text, /error\[E\d+ [a-z-]+\]/);
  assert.match(text, /catalog-info\.yaml:\d+:\d+/);
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was not reloaded");
  assert.ok((await page.content()).includes("Browser-edited, stores"), "the last good page stays");
  // It covers the page visibly.
  const box = await overlay.boundingBox();
  assert.ok(box && box.width > 300 && box.height > 100, JSON.stringify(box));
});

await scenario("a page opened while the build is broken shows the errors too", async () => {
  const other = await browser.newPage();
  await other.goto(new URL("/", url).href, { waitUntil: "load" });
  await other.locator("#portolan-serve-overlay").waitFor({ state: "visible", timeout: 30000 });
  await other.close();
});

await scenario("the next good edit reloads and the errors are gone", async () => {
  edit("  owner: [tracking-team\n", "  owner: tracking-team\n");
  await reloaded();
  await page.waitForLoadState("load");
  assert.equal(await page.locator("#portolan-serve-overlay").count(), 0);
});

await scenario("no console errors (the live-reload script runs under the page's CSP)", async () => {
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  assert.match(csp, /script-src 'self'/);
  assert.deepEqual(consoleErrors, []);
});

fs.writeFileSync(file, original);
await browser.close();
const failed = results.filter((r) => !r).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
