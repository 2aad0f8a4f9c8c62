// Measures the team-lead targets on a built portal (run by bench/teams.sh):
//
//   node bench/teams_pages.mjs SITE_DIR [RUNS]
//
// 1. Clicks from home to a team's failing checks with remediation: it clicks
//    the way a reader would (home → "All N teams" → the team), counts the
//    clicks, and checks the team page shows a failing check with "How to fix".
// 2. Render time in headless Chromium of the initiative, scorecard, check
//    failure list and team pages: navigation start to the load event, the
//    median of RUNS loads (default 7) over HTTP from a local server, next to
//    a blank page loaded the same way (the browser's own floor).
import { chromium } from "../tests/browser/node_modules/playwright-core/index.mjs";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const site = path.resolve(process.argv[2]);
const runs = Number(process.argv[3] || 7);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  let file = path.join(site, decodeURIComponent(url.pathname));
  if (url.pathname === "/__blank.html") { res.writeHead(200, { "content-type": "text/html" }); res.end("<!doctype html><title>blank</title>"); return; }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  fs.readFile(file, (err, body) => {
    if (err) { res.writeHead(404).end(); return; }
    const ext = path.extname(file);
    // Assets cached as a CDN would serve them: the page itself is measured.
    res.writeHead(200, { "cache-control": ext === ".html" ? "no-cache" : "max-age=3600", "content-type": { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" }[ext] || "application/octet-stream" });
    res.end(body);
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
let failed = false;

const cdp = await page.context().newCDPSession(page);
await cdp.send("Performance.enable");
const taskMs = async () => {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return 1000 * metrics.find((m) => m.name === "TaskDuration").value;
};

// 1. Two clicks.
await page.goto(base + "index.html");
let clicks = 0;
await page.locator("#teams a", { hasText: /^All .* teams/ }).click(); clicks++;
// The list is filtered to groups once the index has loaded.
const groupsListed = () => {
  const as = [...document.querySelectorAll("#entities tbody tr a")];
  return as.length > 0 && as.every((a) => a.getAttribute("href").includes("/group/"));
};
await page.waitForFunction(groupsListed, null, { timeout: 30000 });
// The first team with something to fix (the list is sorted by name).
const listUrl = page.url();
const teams = await page.locator("#entities tbody tr a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.href]));
let found = null;
for (const [href, abs] of teams) {
  await page.goto(abs);
  if (await page.locator("#team-scorecards .fix .remediation").count() > 0) { found = href; break; }
}
if (found) {
  // Count it as the reader does: on the list of teams, one click on the team.
  await page.goto(listUrl);
  await page.waitForFunction(groupsListed, null, { timeout: 30000 });
  await page.locator(`#entities tbody tr a[href="${found}"]`).first().click(); clicks++;
  await page.waitForURL(/\/group\//);
  const fixes = await page.locator("#team-scorecards .fix").count();
  const fix = await page.locator("#team-scorecards .fix .remediation").first().innerText();
  console.log(`clicks home -> team failing checks with remediation: ${clicks} (${page.url().replace(base, "")}: ${fixes} failing checks; first: "${fix.slice(0, 60)}…")`);
  if (clicks > 2) failed = true;
} else {
  console.log("no team page shows a failing check"); failed = true;
}

// 2. Render times: for each page, navigation start to the load event
// (wall), the part after the first byte arrived, and the renderer main
// thread's CPU time for the load (Chrome's TaskDuration: parsing, style,
// layout, paint, scripts), which a busy shared machine disturbs least.
// Assets are cached (as after the first page of a visit); pages are loaded
// in turn, round after round, so a busy moment hits all of them alike.
const pick = (dir, re) => {
  const full = path.join(site, dir);
  if (!fs.existsSync(full)) return null;
  const hit = fs.readdirSync(full).sort().find((f) => re.test(f));
  return hit ? path.join(dir, hit) : null;
};
const initiative = pick("initiatives", /^[a-z0-9-]+$/);
const targets = [
  ["blank page (browser floor)", "__blank.html"],
  ["initiative page", initiative && `${initiative}/index.html`],
  ["initiatives index", "initiatives/index.html"],
  ["scorecard page", "scorecards/production-readiness/index.html"],
  ["check failure list (page 1)", "scorecards/production-readiness/checks/runbook-link/index.html"],
  ["team page", found && new URL(found, base + "catalog/index.html").pathname.slice(1)],
].filter(([, p]) => p);
const samples = new Map(targets.map(([label]) => [label, { total: [], render: [], cpu: [] }]));
for (const [, rel] of targets) await page.goto(base + rel, { waitUntil: "load" }); // warm the asset cache
for (let i = 0; i < runs; i++) {
  for (const [label, rel] of targets) {
    await page.goto(base + rel, { waitUntil: "load" });
    // Each navigation gets a fresh document, whose counters start at zero.
    const cpu = await taskMs();
    const [total, render] = await page.evaluate(() => {
      const t = performance.getEntriesByType("navigation")[0];
      return [t.loadEventEnd - t.startTime, t.loadEventEnd - t.responseStart];
    });
    samples.get(label).total.push(total);
    samples.get(label).render.push(render);
    samples.get(label).cpu.push(cpu);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const [label, rel] of targets) {
  const { total, render, cpu } = samples.get(label);
  const bytes = rel.startsWith("__") ? 0 : fs.statSync(path.join(site, rel)).size;
  console.log(`render ${label.padEnd(30)} median wall ${median(total).toFixed(1).padStart(6)} ms (after first byte ${median(render).toFixed(1).padStart(6)}), renderer main-thread CPU ${median(cpu).toFixed(1).padStart(5)} ms  ${(bytes / 1024).toFixed(0).padStart(4)} KB  ${rel}`);
  if (!rel.startsWith("__") && median(total) >= 100) failed = true;
}
await browser.close();
server.close();
process.exit(failed ? 1 : 0);
