// Search benchmark: what a query costs on a built site, in headless
// Chromium (Debian's chromium, driven by tests/browser's playwright-core).
//
//   node bench/search.mjs SITE_DIR [QUERY ...]         (default: pay, orders-gateway-1, team)
//   CPU=4 node bench/search.mjs SITE_DIR ...           (CPU throttled 4× through CDP)
//
// For each query, from a fresh home page:
// - index bytes fetched until the first results show, and in all (names,
//   then descriptions and docs), from the browser's resource timing;
// - ms from the last keystroke to results shown, with the index already
//   loaded (the same query typed again after a reset);
// - the longest gap between animation frames while typing it key by key
//   (a keystroke that blocks the page for longer than a frame shows here);
// over http (engine in a Web Worker) and file:// (engine in the page).
import { chromium } from "../tests/browser/node_modules/playwright-core/index.mjs";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const site = path.resolve(process.argv[2]);
const queries = process.argv.length > 3 ? process.argv.slice(3) : ["pay", "orders-gateway-1", "team"];
const cpu = Number(process.env.CPU || 1);
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };
const server = http.createServer((req, res) => {
  let f = path.join(site, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (fs.existsSync(f) && fs.statSync(f).isDirectory()) f = path.join(f, "index.html");
  fs.readFile(f, (e, b) => {
    if (e) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": types[path.extname(f)] || "application/octet-stream" });
    res.end(b);
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const bases = [["http", `http://127.0.0.1:${server.address().port}/`], ["file", pathToFileURL(site).href + "/"]];

// Bytes of search/ files fetched so far (the worker's too, over http).
async function indexBytes(page, context, mode) {
  if (mode === "file") {
    return page.evaluate(() => performance.getEntriesByType("resource").filter((e) => e.name.includes("/search/"))
      .reduce((n, e) => n + (e.name.startsWith("file:") ? 0 : e.transferSize), 0));
  }
  return 0;
}

console.log(`site ${site}, CPU throttling ${cpu}×`);
console.log("| mode | query | index KB to first results | index KB in all | files | first results (ms, cold) | results after index loaded (ms) | longest frame gap while typing (ms) |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|");
for (const [mode, base] of bases) {
  for (const q of queries) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    if (cpu > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
    // Sizes of what is fetched, from the files on disk (file:// reports no sizes).
    const fetched = [];
    const note = (url) => {
      const m = url.match(/\/search\/(.+\.js)$/);
      if (m) fetched.push(fs.statSync(path.join(site, "search", decodeURIComponent(m[1]))).size);
    };
    // The context sees the page's requests and the worker's.
    context.on("request", (r) => note(r.url()));
    await page.goto(base + "index.html", { waitUntil: "load" });
    const done = (q) => page.waitForFunction((q) => {
      const l = document.getElementById("site-search-list");
      return l && l.getAttribute("data-q") === q && (l.getAttribute("aria-busy") === "false" || l.children.length);
    }, q, { timeout: 120000, polling: 1 });
    const complete = (q) => page.waitForFunction((q) => {
      const l = document.getElementById("site-search-list");
      return l && l.getAttribute("data-q") === q && l.getAttribute("aria-busy") === "false";
    }, q, { timeout: 120000, polling: 5 });
    // Cold: paste the query, time to the first results.
    let t0 = Date.now();
    await page.locator("#site-search").fill(q);
    await done(q);
    const cold = Date.now() - t0;
    const firstBytes = fetched.reduce((a, b) => a + b, 0);
    const firstFiles = fetched.length;
    await complete(q);
    const allBytes = fetched.reduce((a, b) => a + b, 0);
    // Warm: the index is loaded; type it again.
    await page.locator("#site-search").fill("");
    await page.waitForTimeout(50);
    t0 = Date.now();
    await page.locator("#site-search").fill(q);
    await done(q);
    const warm = Date.now() - t0;
    // Key by key, watching the frames.
    await page.locator("#site-search").fill("");
    await page.evaluate(() => {
      window.__gaps = [];
      let last = performance.now();
      const tick = (t) => { window.__gaps.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
      window.__stop = false;
      requestAnimationFrame(tick);
    });
    await page.locator("#site-search").pressSequentially(q, { delay: 120 });
    await complete(q);
    await page.waitForTimeout(100);
    const gap = await page.evaluate(() => { window.__stop = true; return Math.max(...window.__gaps.slice(1)); });
    console.log(`| ${mode} | ${q} | ${(firstBytes / 1024).toFixed(1)} | ${(allBytes / 1024).toFixed(1)} | ${firstFiles} | ${cold} | ${warm} | ${gap.toFixed(1)} |`);
    await context.close();
  }
}
await browser.close();
server.close();
