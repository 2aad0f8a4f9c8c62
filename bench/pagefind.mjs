// Pagefind side by side with Portolan's own search, on the same built site.
//
//   npm install --prefix DIR pagefind@1.6        (its binary comes from npm's platform package)
//   DIR/node_modules/.bin/pagefind --site SITE --output-path PF_OUT   (time it: /usr/bin/time -v)
//   node bench/pagefind.mjs SITE PF_OUT SUITE.json
//
// For each query of a relevance suite (tests/search/relevance-*.json) it
// runs Pagefind's own browser API (pagefind.js, over http, in headless
// Chromium) and Portolan's engine (search-engine.js in Node, over SITE's
// search/), and prints each one's top result, the suite score, and the
// bytes each fetched for the suite's first query (Pagefind: its entry,
// WASM, index chunks and the first five results' fragments).
import { chromium } from "../tests/browser/node_modules/playwright-core/index.mjs";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { load } from "../tests/search/engine.mjs";

const [site, pf, suiteFile] = process.argv.slice(2).map((p) => path.resolve(p));
const suite = JSON.parse(fs.readFileSync(suiteFile, "utf8")).queries;
const server = http.createServer((req, res) => {
  const u = new URL(req.url, "http://x").pathname;
  const f = u === "/" ? null : u.startsWith("/pagefind/") ? path.join(pf, u.slice(10)) : path.join(site, u);
  if (u === "/") {
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>pf</title>");
    return;
  }
  fs.readFile(f, (e, b) => {
    if (e) { res.writeHead(404).end(); return; }
    const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
    res.writeHead(200, { "content-type": types[path.extname(f)] || "application/octet-stream" }).end(b);
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const context = await browser.newContext();
const page = await context.newPage();
let bytes = 0;
page.on("response", async (r) => { try { if (r.url().includes("/pagefind/")) bytes += (await r.body()).length; } catch { /* redirects */ } });
await page.goto(base);
await page.evaluate(async () => { window.pf = await import("/pagefind/pagefind.js"); await window.pf.init(); });

// A page URL to what it shows: an entity ref or a docs page.
const refOf = (url) => {
  const u = url.replace(/^\//, "").replace(/index\.html$/, "").replace(/#.*$/, "");
  const m = u.match(/^catalog\/([^/]+)\/([^/]+)\/([^/]+)\/$/);
  if (m) return `${m[2]}:${m[1]}/${m[3]}`;
  return u.startsWith("docs/") ? u + "index.html" : u;
};
const { engine, stats } = load(site);
let pfScore = 0, ownScore = 0, pfFirst = null, ownFirst = null;
for (const [q, want] of suite) {
  const before = bytes;
  const pfTop = await page.evaluate(async (q) => {
    const r = await window.pf.search(q);
    const data = await Promise.all(r.results.slice(0, 5).map((x) => x.data()));
    return data.length ? data[0].url : null;
  }, q);
  if (pfFirst === null) pfFirst = bytes - before;
  const r = await engine.suggest(q, {});
  if (ownFirst === null) ownFirst = stats().bytes;
  const first = r.groups.length ? r.groups[0].items[0] : null;
  const own = first ? (first.type === "doc" ? first.url.split("#")[0] : first.ref) : "(none)";
  const pfGot = pfTop ? refOf(pfTop) : "(none)";
  if (pfGot === want) pfScore++;
  if (own === want) ownScore++;
  console.log(`${JSON.stringify(q)}: want ${want} | portolan ${own === want ? "ok" : own} | pagefind ${pfGot === want ? "ok" : pfGot}`);
}
console.log(`\nrelevance: portolan ${ownScore}/${suite.length}, pagefind ${pfScore}/${suite.length}`);
console.log(`first query "${suite[0][0]}": portolan ${(ownFirst / 1024).toFixed(1)} KB, pagefind ${(pfFirst / 1024).toFixed(1)} KB (incl. its WASM and entry; five results' fragments)`);
await browser.close();
server.close();
