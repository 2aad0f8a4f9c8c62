// End-to-end tests of a built portal in headless Chromium (Debian's
// `chromium`), driven by playwright-core. tests/browser.rs builds the example
// catalog and runs:
//
//   node tests/browser/run.mjs SITE_DIR [SCREENSHOT_DIR]
//
// With HOSTILE_SITE=DIR it also opens the site built from
// tests/browser/hostile-catalog and asserts that none of its scripts run.
//
// Every scenario runs twice: against the site served on localhost (by a
// small static server started here) and opened straight from file://.
// Any request that leaves the site fails the run.
import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const site = path.resolve(process.argv[2] || "site");
const shots = process.argv[3] ? path.resolve(process.argv[3]) : null;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json" };

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end("not found"); return; }
      res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const axePath = path.join(path.dirname(fileURLToPath(import.meta.url)), "node_modules/axe-core/axe.min.js");
const results = [];
async function scenario(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL  ${name}\n${e && e.stack ? e.stack : e}`);
  }
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const server = await serve(site);
const httpBase = `http://127.0.0.1:${server.address().port}/`;
const fileBase = pathToFileURL(site).href + "/";

for (const [mode, base] of [["http", httpBase], ["file", fileBase]]) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const outside = [];
  const consoleErrors = [];
  page.on("request", (req) => {
    const u = req.url();
    if (!u.startsWith(base) && !u.startsWith("data:")) outside.push(u);
  });
  page.on("console", (msg) => { if (msg.type() === "error") consoleErrors.push(msg.text()); });
  page.on("pageerror", (err) => consoleErrors.push(String(err)));
  const open = async (rel) => { await page.goto(base + rel, { waitUntil: "load" }); };
  const indexReady = async () => {
    await page.waitForFunction(() => {
      const c = document.getElementById("result-count");
      return c && /entit/.test(c.textContent) && document.getElementById("filters").hasAttribute("data-ready");
    }, null, { timeout: 15000 });
  };
  const rows = async () => page.locator("#entities tbody tr").count();
  // The catalog renders asynchronously (the search engine may be in a worker).
  const countIs = async (re, id = "result-count") => {
    await page.waitForFunction(([src, id]) => new RegExp(src).test(document.getElementById(id).textContent) &&
      document.getElementById("filters").hasAttribute("data-ready"), [re.source, id], { timeout: 15000 });
  };

  await scenario(`${mode}: the entity page's quick-answers panel answers and links to the owner`, async () => {
    await open("catalog/default/component/orders-service/index.html");
    const panel = page.locator("#quick-answers");
    await panel.waitFor();
    for (const key of ["owner", "repository", "docs", "dashboard", "runbook", "deployment"]) {
      assert.equal(await panel.locator(`[data-answer="${key}"]`).count(), 1, key);
    }
    assert.equal(await panel.locator(".qa.missing").count(), 0);
    const runbook = panel.locator('[data-answer="runbook"] a');
    assert.equal(await runbook.getAttribute("href"), "https://runbooks.northwind.example/orders-service");
    assert.match(await panel.locator('[data-answer="owner"]').innerText(), /Orders Team/);
    assert.match(await panel.locator('[data-answer="owner"]').innerText(), /#team-orders/);
    if (shots) await page.screenshot({ path: path.join(shots, "entity-page.png"), fullPage: false });
    await panel.locator('[data-answer="owner"] a', { hasText: "Orders Team" }).click();
    await page.waitForURL(/group\/orders-team\/index\.html$/);
    assert.match(await page.locator("h1").innerText(), /Orders Team/);
  });

  await scenario(`${mode}: the panel's Docs answer opens the docs home, and the docs list a page`, async () => {
    await open("catalog/default/component/orders-service/index.html");
    await page.locator('#quick-answers [data-answer="docs"] a').first().click();
    await page.waitForURL(/docs\/default\/component\/orders-service\/index\.html$/);
    assert.ok(await page.locator("nav.docs-nav").isVisible(), "docs nav");
    assert.match(await page.locator("main h1").first().innerText(), /Orders/);
    await open("catalog/default/component/orders-service/index.html");
    await page.locator("#docs ol a", { hasText: "Runbook" }).click();
    await page.waitForURL(/docs\/default\/component\/orders-service\/runbook\/index\.html$/);
    assert.ok(await page.locator("nav.docs-nav").isVisible(), "docs nav");
  });

  await scenario(`${mode}: a Mermaid fence is drawn as an SVG diagram, under the CSP, only where there is one`, async () => {
    const errorsBefore = consoleErrors.length;
    await open("docs/default/component/orders-service/developing/index.html");
    const pre = page.locator("main pre.mermaid");
    assert.equal(await pre.count(), 1, "one diagram");
    await page.waitForFunction(() => document.querySelector("main pre.mermaid svg"), null, { timeout: 15000 });
    const drawn = await pre.evaluate((el) => ({
      processed: el.getAttribute("data-processed"),
      svgs: el.querySelectorAll("svg").length,
      text: el.textContent,
      width: el.querySelector("svg").getBoundingClientRect().width,
      // Mermaid's own <style> applied: a state's box is not the SVG default (black).
      fill: getComputedStyle(el.querySelector("svg rect.basic, svg g.node rect, svg rect")).fill,
    }));
    assert.equal(drawn.processed, "true");
    assert.equal(drawn.svgs, 1);
    assert.ok(drawn.width > 50, `diagram width ${drawn.width}`);
    assert.match(drawn.text, /Delivered/);
    assert.doesNotMatch(drawn.text, /Syntax error|-->/);
    assert.notEqual(drawn.fill, "rgb(0, 0, 0)", "the diagram is styled");
    assert.deepEqual(consoleErrors.slice(errorsBefore), [], "no CSP violation or script error");
    if (shots) await pre.screenshot({ path: path.join(shots, "docs-mermaid.png") });
    // A docs page without a diagram does not load the bundle.
    await open("docs/default/component/orders-service/index.html");
    assert.equal(await page.locator("script[src*='mermaid']").count(), 0);
  });

  await scenario(`${mode}: a missing answer names the check that asks for it`, async () => {
    await open("catalog/default/component/depot-capacity-service/index.html");
    const missing = page.locator('#quick-answers .qa.missing[data-answer="runbook"]');
    assert.equal(await missing.count(), 1);
    assert.match(await missing.innerText(), /Missing\. Asked for by Production readiness › Links a runbook/);
    await missing.locator("a").click();
    await page.waitForURL(/scorecards\/production-readiness\/index\.html#check-runbook-link$/);
    assert.ok(await page.locator("#check-runbook-link").isVisible());
  });

  await scenario(`${mode}: the team page lists members, sub-teams, contacts and what it owns`, async () => {
    await open("catalog/default/group/orders-team/index.html");
    assert.ok((await page.locator("#members .people li").count()) >= 2, "members");
    assert.match(await page.locator("#contacts").innerText(), /orders-team@northwind\.example/);
    assert.match(await page.locator("#owned").innerText(), /Orders Service/);
    assert.match(await page.locator("#team-scorecards").innerText(), /Production readiness/);
    assert.match(await page.locator("#hierarchy").innerText(), /Shipping/i);
    if (shots) await page.screenshot({ path: path.join(shots, "team-page.png"), fullPage: false });
    await page.locator("#members .people a").first().click();
    await page.waitForURL(/\/user\//);
    assert.match(await page.locator("#profile").innerText(), /Teams/);
  });

  await scenario(`${mode}: a team lead reaches the team's failing checks with remediation in two clicks from home`, async () => {
    await open("index.html");
    let clicks = 0;
    await page.locator("#teams a", { hasText: /^All \d+ teams/ }).click(); clicks++;
    await page.waitForFunction(() => {
      const as = [...document.querySelectorAll("#entities tbody tr a")];
      return as.length > 0 && as.every((a) => a.getAttribute("href").includes("/group/"));
    }, null, { timeout: 15000 });
    await page.locator("#entities tbody tr a", { hasText: "Routing Team" }).click(); clicks++;
    await page.waitForURL(/group\/routing-team\/index\.html$/);
    assert.equal(clicks, 2);
    const fixes = page.locator("#team-scorecards .fix");
    assert.ok((await fixes.count()) >= 2, "failing checks listed");
    const runbook = fixes.filter({ hasText: "Links a runbook" });
    assert.ok(await runbook.isVisible(), "the runbook check is on the page");
    assert.match(await runbook.locator(".remediation").innerText(), /How to fix.*type: runbook/is);
    assert.match(await runbook.innerText(), /Depot Capacity/);
    // The initiative that concerns the team, with its deadline.
    assert.match(await page.locator("#team-initiatives").innerText(), /Runbooks and dashboards.*this team: 2 of 3 done.*2027-03-31/s);
    if (shots) await page.screenshot({ path: path.join(shots, "team-view.png"), fullPage: false });
  });

  await scenario(`${mode}: the initiative page shows progress per team, the deadline and what is left, with owners and fixes`, async () => {
    await open("index.html");
    await page.locator("nav .nav a", { hasText: "Initiatives" }).click();
    await page.waitForURL(/initiatives\/index\.html$/);
    await page.locator("main a", { hasText: "Runbooks and dashboards for every service" }).click();
    await page.waitForURL(/initiatives\/runbooks-and-dashboards\/index\.html$/);
    const stats = await page.locator(".stat-grid").innerText();
    assert.match(stats, /12 \/ 18/);
    assert.match(stats, /67%/);
    assert.match(stats, /days to the deadline/);
    assert.match(await page.locator("#teams").innerText(), /Routing Team\s+2 of 3/);
    const left = page.locator("#left tbody tr");
    assert.equal(await left.count(), 6);
    const row = left.filter({ hasText: "Depot Capacity" });
    assert.match(await row.innerText(), /Routing Team/);
    assert.match(await page.locator("#burndown").innerText(), /12 of 18 done today/);
    // A missing check jumps to its card, which clears the top bar and is highlighted.
    await row.locator("a", { hasText: "Links a runbook" }).click();
    await page.waitForURL(/#check-production-readiness-runbook-link$/);
    const card = page.locator("#check-production-readiness-runbook-link");
    assert.match(await card.innerText(), /how to fix/i);
    const [top, barBottom, outline] = await card.evaluate((el) => [el.getBoundingClientRect().top,
      document.querySelector(".topbar").getBoundingClientRect().bottom, getComputedStyle(el).outlineStyle]);
    assert.ok(top >= barBottom, `card top ${top} under the top bar (${barBottom})`);
    assert.notEqual(outline, "none", "the target is highlighted");
    if (shots) await page.screenshot({ path: path.join(shots, "initiative.png"), fullPage: false });
  });

  await scenario(`${mode}: a "Missing" link lands on the check below the top bar, highlighted; an unasked gap is neutral`, async () => {
    await open("catalog/default/component/depot-capacity-service/index.html");
    await page.locator('#quick-answers .qa.missing[data-answer="runbook"] a').click();
    await page.waitForURL(/#check-runbook-link$/);
    const target = page.locator("#check-runbook-link");
    const [top, barBottom, outline, bg] = await target.evaluate((el) => [el.getBoundingClientRect().top,
      document.querySelector(".topbar").getBoundingClientRect().bottom, getComputedStyle(el).outlineStyle, getComputedStyle(el).backgroundColor]);
    assert.ok(top >= barBottom, `check top ${top} is under the sticky bar (bottom ${barBottom})`);
    assert.notEqual(outline, "none");
    // A gap that no check asks about is not painted as a failure.
    await open("catalog/default/component/kafka-client-kit/index.html");
    for (const qa of await page.locator("#quick-answers .qa.missing").all()) {
      const text = await qa.innerText();
      if (/No scorecard check asks for it/.test(text)) {
        assert.match(await qa.getAttribute("class"), /neutral/);
        const color = await qa.locator(".qa-missing").evaluate((el) => getComputedStyle(el).color);
        const bad = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bad").trim());
        assert.notEqual(color, bad);
      }
    }
  });

  await scenario(`${mode}: a scorecard's check lists every failing entity with its owner, filterable by kind and level`, async () => {
    await open("scorecards/production-readiness/index.html");
    await page.locator("#check-docs a", { hasText: /^All \d+ not passing/ }).click();
    await page.waitForURL(/checks\/docs\/index\.html$/);
    const rows = page.locator("#failure-table tbody tr");
    const total = Number((await page.locator("#failures-title .muted").first().innerText()).replace(/,/g, ""));
    assert.equal(await rows.count(), total);
    const owners = await rows.locator("td:nth-child(3)").allInnerTexts();
    assert.ok(owners.every((o) => o.trim().length > 0));
    // Rows are grouped by owning team: a team never comes back after another.
    const seen = new Set();
    owners.forEach((o, i) => {
      if (i > 0 && o !== owners[i - 1]) assert.ok(!seen.has(o), `${o} appears in two runs`);
      seen.add(owners[i - 1] ?? o);
    });
    await page.selectOption('select[data-filter="level"]', "bronze");
    const levels = await rows.evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => e.getAttribute("data-level")));
    assert.ok(levels.length > 0 && levels.every((l) => l === "bronze"));
  });

  await scenario(`${mode}: catalog filters narrow the index and survive in the URL`, async () => {
    await open("catalog/index.html");
    await indexReady();
    assert.match(await page.locator("#result-count").innerText(), /^94 entities$/);
    assert.equal(await rows(), 50, "first page");
    await page.locator("#next").click();
    await countIs(/Page 2 of 2/, "page-info");
    assert.equal(await rows(), 44, "second page");
    assert.match(await page.locator("#page-info").innerText(), /Page 2 of 2/);
    await page.selectOption("#f-kind", "api");
    await countIs(/^10 entities$/);
    assert.equal(await rows(), 10);
    await page.selectOption("#f-type", "asyncapi");
    await countIs(/^2 entities$/);
    assert.ok(page.url().includes("kind=api") && page.url().includes("type=asyncapi"), page.url());
    await page.locator("#f-reset").click();
    await page.waitForFunction(() => /^94 /.test(document.getElementById("result-count").textContent));
    await page.selectOption("#f-owner", "group:default/orders-team");
    await countIs(/^(?!94 )\d+ entit/);
    const owned = await page.locator("#entities tbody tr td:first-child").allInnerTexts();
    assert.ok(owned.includes("Orders Service"), owned.join(", "));
    await page.selectOption("#f-lifecycle", "production");
    await page.selectOption("#f-system", "system:default/order-management");
    await page.waitForFunction(() => [...document.querySelectorAll("#entities tbody tr td:nth-child(5)")].every((td) => td.textContent === "Orders Team"));
    for (const cell of await page.locator("#entities tbody tr td:nth-child(5)").allInnerTexts()) {
      assert.equal(cell, "Orders Team");
    }
    await open("catalog/index.html?tag=kafka");
    await indexReady();
    const tagged = await rows();
    assert.ok(tagged >= 3 && tagged < 94, `tag=kafka gives ${tagged}`);
    assert.equal(await page.locator("#f-tag").inputValue(), "kafka");
    if (shots) {
      await open("catalog/index.html?kind=component");
      await indexReady();
      await page.screenshot({ path: path.join(shots, "catalog-index.png"), fullPage: false });
    }
  });

  // The top bar's search: a combobox with a listbox of results as you type.
  const box = () => page.locator("#site-search");
  const options = () => page.locator("#site-search-list [role=option]");
  const typeQuery = async (q) => {
    await box().fill("");
    await box().pressSequentially(q);
    await page.waitForFunction((q) => {
      const b = document.getElementById("site-search"), l = document.getElementById("site-search-list");
      return b.value === q && b.getAttribute("aria-expanded") === "true" && l.getAttribute("data-q") === q &&
        l.getAttribute("aria-busy") === "false";
    }, q, { timeout: 15000 });
  };

  await scenario(`${mode}: from home, a partial name and Enter land on the entity (two interactions)`, async () => {
    await open("index.html");
    if (shots) await page.screenshot({ path: path.join(shots, "home.png"), fullPage: false });
    // Chromium applies `autofocus` at the page's next rendering update, which
    // on a busy machine can come after the load event: wait for it a while.
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === "site-search",
      null, { timeout: 5000 }).catch(() => {});
    assert.equal(await page.evaluate(() => document.activeElement.id), "site-search", "home autofocuses the search");
    assert.equal(await page.locator("input[type=search]").count(), 1, "one search box on home");
    // Interaction 1: type; interaction 2: Enter, without waiting for the results.
    await page.keyboard.type("orders-serv");
    await page.keyboard.press("Enter");
    await page.waitForURL(/catalog\/default\/component\/orders-service\/index\.html$/);
  });

  await scenario(`${mode}: results show as you type, grouped, and arrow keys choose one`, async () => {
    await open("catalog/default/system/order-management/index.html");
    await page.keyboard.press("/");
    await typeQuery("orders");
    const groups = await page.locator("#site-search-list [role=group]").evaluateAll((gs) => gs.map((g) => g.getAttribute("aria-label")));
    assert.deepEqual(groups.slice(0, 3), ["Catalog", "Teams and people", "Docs"]);
    const first = await options().first().innerText();
    assert.match(first, /Orders Service[\s\S]*Component[\s\S]*Orders Team[\s\S]*production/, first);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const second = options().nth(1);
    assert.equal(await second.getAttribute("aria-selected"), "true");
    assert.equal(await box().getAttribute("aria-activedescendant"), await second.getAttribute("id"));
    const title = (await second.locator(".ss-main").innerText()).trim();
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.waitForURL(/catalog\/default\//);
    assert.equal((await page.locator("h1").first().innerText()).trim().split("\n")[0], title);
    if (shots) {
      await typeQuery("pay");
      await page.screenshot({ path: path.join(shots, "search-dropdown.png"), fullPage: false });
    }
  });

  await scenario(`${mode}: a typo still lands on the entity`, async () => {
    await open("index.html");
    await typeQuery("ordrs servce");
    await page.keyboard.press("Enter");
    await page.waitForURL(/component\/orders-service\/index\.html$/);
  });

  await scenario(`${mode}: a docs hit lands on its heading`, async () => {
    await open("index.html");
    await typeQuery("outbox backlog");
    assert.match(await options().first().innerText(), /Runbook › Outbox backlog/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/docs\/default\/component\/orders-service\/runbook\/index\.html#outbox-backlog$/);
    const inView = await page.evaluate(() => {
      const r = document.getElementById("outbox-backlog").getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    });
    assert.ok(inView, "the heading is on screen");
  });

  await scenario(`${mode}: no results says so and offers the nearest names`, async () => {
    await open("index.html");
    await typeQuery("zzorders");
    const msg = page.locator("#site-search-message");
    assert.match(await msg.innerText(), /No results for “zzorders”\. Nearest names:/);
    const near = await options().allInnerTexts();
    assert.ok(near.includes("orders"), near.join(", "));
    await options().filter({ hasText: /^orders$/ }).click();
    await page.waitForFunction(() => document.getElementById("site-search").value === "orders");
    await page.waitForFunction(() => /Orders Service/.test(document.getElementById("site-search-list").textContent));
  });

  await scenario(`${mode}: "see all results" keeps the query in the URL and the facets narrow it`, async () => {
    await open("index.html");
    await typeQuery("orders");
    // The last option (Up from the box wraps to it).
    await page.keyboard.press("ArrowUp");
    assert.match(await options().last().innerText(), /^See all \d+ results for “orders”/);
    assert.equal(await options().last().getAttribute("aria-selected"), "true");
    await page.keyboard.press("Enter");
    await page.waitForURL(/catalog\/index\.html\?q=orders$/);
    await indexReady();
    const names = await page.locator("#entities tbody tr td:first-child").allInnerTexts();
    assert.equal(names[0], "Orders Service", names.join(", "));
    assert.ok(await page.locator("#docs-results").isVisible(), "docs hits are listed");
    await page.selectOption("#f-kind", "api");
    await page.waitForFunction(() => /^[1-9]\d* entit/.test(document.getElementById("result-count").textContent) &&
      [...document.querySelectorAll("#entities tbody tr td:nth-child(2)")].every((td) => td.textContent === "API"));
    const apis = await page.locator("#entities tbody tr td:first-child").allInnerTexts();
    assert.equal(apis[0], "Orders API", apis.join(", "));
    assert.ok(page.url().includes("q=orders") && page.url().includes("kind=api"), page.url());
    await open("catalog/index.html?q=zzorders");
    await page.waitForFunction(() => !document.getElementById("no-results").hidden);
    assert.match(await page.locator("#no-results").innerText(), /No results for “zzorders”\. Nearest names: orders/);
  });

  await scenario(`${mode}: keyboard users can skip to content and reach the search with /`, async () => {
    await open("catalog/default/system/order-management/index.html");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.className), "skip-link");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "main");
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement.id), "site-search");
    const svg = page.locator("#graph svg.graph");
    assert.equal(await svg.count(), 1, "system graph");
    assert.ok((await svg.locator("a").count()) >= 3, "graph nodes link to entities");
    if (shots) {
      await page.locator("#graph").scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(shots, "system-graph.png"), fullPage: false });
    }
  });

  await scenario(`${mode}: dark mode follows the system preference`, async () => {
    await open("index.html");
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(light, dark);
    if (shots) await page.screenshot({ path: path.join(shots, "home-dark.png"), fullPage: false });
    await page.emulateMedia({ colorScheme: "light" });
  });

  if (mode === "http") {
    // axe-core checks WCAG 2.1 AA (contrast, labels, landmarks, names) on
    // each kind of page, in light and dark. It is injected into a separate
    // context that bypasses the CSP, since the portal's own CSP rightly
    // refuses scripts it did not ship.
    await scenario("http: key pages pass axe-core's WCAG 2.1 AA rules in light and dark", async () => {
      const audit = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
      const p = await audit.newPage();
      const problems = [];
      for (const scheme of ["light", "dark"]) {
        await p.emulateMedia({ colorScheme: scheme });
        for (const rel of ["index.html", "catalog/index.html", "catalog/default/component/orders-service/index.html",
          "catalog/default/component/depot-capacity-service/index.html", "catalog/default/group/orders-team/index.html",
          "catalog/default/user/" + fs.readdirSync(path.join(site, "catalog/default/user"))[0] + "/index.html",
          "catalog/default/system/order-management/index.html", "catalog/default/api/orders-api/index.html",
          "scorecards/index.html", "scorecards/production-readiness/index.html", "health/index.html",
          "scorecards/production-readiness/checks/docs/index.html", "initiatives/index.html",
          "initiatives/runbooks-and-dashboards/index.html", "catalog/default/group/shipping-engineering/index.html"]) {
          await p.goto(base + rel, { waitUntil: "load" });
          if (rel === "catalog/index.html") {
            await p.waitForFunction(() => document.getElementById("filters").hasAttribute("data-ready"));
          }
          if (rel === "index.html") {
            // With the search's listbox open, results and all.
            await p.locator("#site-search").pressSequentially("orders");
            await p.waitForFunction(() => document.getElementById("site-search-list").getAttribute("aria-busy") === "false" &&
              document.getElementById("site-search-list").getAttribute("data-q") === "orders");
          }
          await p.addScriptTag({ path: axePath });
          const found = await p.evaluate(async () => {
            const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
            return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
          });
          for (const f of found) problems.push(`${scheme} ${rel}: ${f}`);
        }
      }
      await audit.close();
      assert.deepEqual(problems, []);
    });
  }

  await scenario(`${mode}: every page type fits a phone's width, and the first result is above the fold`, async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    const user = fs.readdirSync(path.join(site, "catalog/default/user"))[0];
    for (const rel of ["index.html", "catalog/index.html", "catalog/default/component/orders-service/index.html",
      "catalog/default/component/depot-capacity-service/index.html", "catalog/default/api/orders-api/index.html",
      "catalog/default/group/orders-team/index.html", "catalog/default/group/shipping-engineering/index.html",
      `catalog/default/user/${user}/index.html`, "catalog/default/system/order-management/index.html",
      "catalog/default/domain/shipping/index.html",
      `catalog/default/resource/${fs.readdirSync(path.join(site, "catalog/default/resource"))[0]}/index.html`,
      "catalog/default/location/northwind-catalog/index.html", "docs/default/component/orders-service/index.html",
      "scorecards/index.html", "scorecards/production-readiness/index.html",
      "scorecards/production-readiness/checks/docs/index.html", "initiatives/index.html",
      "initiatives/runbooks-and-dashboards/index.html", "health/index.html"]) {
      if (!fs.existsSync(path.join(site, rel))) throw new Error(`${rel} is not in the site`);
      await open(rel);
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= width + 1, `${rel}: ${scroll}px wide in a ${width}px viewport`);
      // Nothing spills out of a card either (contained cards would clip it rather than widen the page).
      const spills = await page.evaluate(() => [...document.querySelectorAll(".card")]
        .filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.id || c.className));
      assert.deepEqual(spills, [], `${rel}: content wider than its card`);
    }
    // The catalog: filters collapsed, so the first row and its owner are on the first screen.
    await open("catalog/index.html");
    await indexReady();
    const first = page.locator("#entities tbody tr").first();
    const box = await first.boundingBox();
    assert.ok(box && box.y + box.height <= 800, `first row ends at ${box && box.y + box.height}px`);
    assert.ok(box.height <= 110, `a row is ${box.height}px tall`);
    assert.ok(!(await page.locator("#f-owner").isVisible()), "the owner filter is collapsed");
    await page.locator(".filters-toggle").click();
    assert.ok(await page.locator("#f-owner").isVisible(), "and opens on demand");
    if (shots) {
      await open("catalog/default/component/orders-service/index.html");
      await page.screenshot({ path: path.join(shots, "entity-page-phone.png"), fullPage: false });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await scenario(`${mode}: no page requested anything outside the site, and no script failed`, async () => {
    assert.deepEqual(outside, []);
    assert.deepEqual(consoleErrors, []);
  });
  await context.close();
}

// A catalog whose docs, names and descriptions try to run script
// (tests/browser/hostile-catalog): nothing may run, neither under the
// portal's CSP nor with the CSP bypassed, so the sanitizing alone is tested
// too. Every script there sets `window.__pwned` or opens a dialog.
// A small catalog with errors and warnings (HEALTH_SITE), for the health
// report's triage.
if (process.env.HEALTH_SITE) {
  const health = pathToFileURL(path.resolve(process.env.HEALTH_SITE)).href + "/";
  await scenario("the health page lists catalog problems, errors first, filterable by severity, code and file", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(health + "health/index.html");
    const items = page.locator("#diagnostic-list > li");
    const n = await items.count();
    assert.ok(n > 0);
    const codes = await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-code")));
    assert.ok(!codes.includes("E0300"), "no scorecard failures on the health page");
    const sev = await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-severity")));
    const firstWarning = sev.indexOf("warning");
    assert.ok(firstWarning === -1 || !sev.slice(firstWarning).includes("error"), "errors come first");
    assert.match(await page.locator("main").innerText(), /failing scorecard checks? (are|is) not listed here/);
    const code = codes[0];
    await page.selectOption('select[data-filter="code"]', code);
    const shown = await items.evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => e.getAttribute("data-code")));
    assert.ok(shown.length > 0 && shown.every((c) => c === code), shown.join(","));
    await page.selectOption('select[data-filter="code"]', "");
    await page.selectOption('select[data-filter="severity"]', "warning");
    const warn = await items.evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => e.getAttribute("data-severity")));
    assert.ok(warn.every((s) => s === "warning"));
    const file = await items.first().getAttribute("data-file");
    await page.selectOption('select[data-filter="severity"]', "");
    await page.selectOption('select[data-filter="file"]', file);
    const files = await items.evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => e.getAttribute("data-file")));
    assert.ok(files.length > 0 && files.every((f) => f === file));
    assert.deepEqual(sev, ["error", "warning", "warning"]);
    assert.equal(await items.first().getAttribute("data-file"), "zz-broken.yaml", "the error first, though its file sorts last");
    await ctx.close();
  });
}

// The example portal built after the initiative's deadline (LATE_SITE):
// its checks are now required, and the pages say so.
if (process.env.LATE_SITE) {
  const late = pathToFileURL(path.resolve(process.env.LATE_SITE)).href + "/";
  await scenario("after its deadline an initiative's checks are required, and its pages say so", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await ctx.newPage();
    await p.goto(late + "initiatives/runbooks-and-dashboards/index.html");
    assert.match(await p.locator("main").innerText(), /The deadline has passed: these checks are now required/);
    assert.match(await p.locator(".facts").innerText(), /1 day past the deadline/);
    await p.goto(late + "catalog/default/component/scanner-gateway/index.html");
    const item = p.locator("#initiatives li");
    assert.match(await item.innerText(), /still to do: Links a runbook/);
    assert.equal(await item.locator(".sev-error").count(), 1, "overdue, shown as an error");
    // The failing check is now an error on the health page of neither: it is on the entity and team pages.
    await p.goto(late + "catalog/default/group/tracking-team/index.html");
    assert.match(await p.locator("#team-initiatives").innerText(), /1 day past the deadline/);
    await ctx.close();
  });
}

// A 10,000-entity synthetic portal (BIG_SITE): a check failing on
// thousands of entities is paginated, every one of them is on some page
// exactly once, and the team list jumps to the page and row of a team.
if (process.env.BIG_SITE) {
  const big = path.resolve(process.env.BIG_SITE);
  const bserver = await serve(big);
  const bbase = `http://127.0.0.1:${bserver.address().port}/`;
  await scenario("10k: a check's failure list is paginated and complete, and jumps to a team", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await ctx.newPage();
    const dir = path.join(big, "scorecards/production-readiness/checks");
    // The check with the most pages.
    const check = fs.readdirSync(dir).sort().map((c) => [c, fs.readdirSync(path.join(dir, c)).length])
      .sort((a, b) => b[1] - a[1])[0][0];
    await p.goto(bbase + "scorecards/production-readiness/index.html");
    const link = p.locator(`#check-${check} a`, { hasText: /^All [\d,]+ not passing/ });
    // textContent: a card far below the fold is not rendered yet (content-visibility), so it has no innerText.
    const expected = Number((await link.textContent()).match(/All ([\d,]+)/)[1].replace(/,/g, ""));
    assert.ok(expected > 1000, `${check} fails on ${expected}`);
    await link.click();
    const seen = new Set();
    let pages = 0;
    for (;;) {
      pages++;
      const hrefs = await p.locator("#failure-table tbody tr td:first-child a").evaluateAll((as) => as.map((a) => a.href));
      assert.ok(hrefs.length > 0 && hrefs.length <= 100, `page ${pages}: ${hrefs.length} rows`);
      for (const h of hrefs) { assert.ok(!seen.has(h), `${h} twice`); seen.add(h); }
      const next = p.locator("nav.pager a", { hasText: "Next" });
      if (await next.count() === 0) break;
      await next.click();
      await p.waitForLoadState("load");
    }
    assert.equal(seen.size, expected, `${pages} pages`);
    // The team filter jumps to the page where the team's rows start.
    await p.goto(bbase + `scorecards/production-readiness/checks/${check}/index.html`);
    const options = await p.locator("select[data-filter-jump] option").evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    const [value, label] = options[Math.floor(options.length / 2)];
    await p.selectOption("select[data-filter-jump]", value);
    await p.waitForURL(/#team-/);
    const anchor = new URL(p.url()).hash.slice(1);
    const row = p.locator(`[id="${anchor}"]`);
    const owner = await row.locator("td:nth-child(3)").innerText();
    assert.ok(label.startsWith(owner.trim()), `${label} vs ${owner}`);
    const [top, barBottom] = await row.evaluate((el) => [el.getBoundingClientRect().top, document.querySelector(".topbar").getBoundingClientRect().bottom]);
    assert.ok(top >= barBottom - 1, `row top ${top} under the bar ${barBottom}`);
    await ctx.close();
  });
  bserver.close();
}

if (process.env.HOSTILE_SITE) {
  const hostile = path.resolve(process.env.HOSTILE_SITE);
  const hserver = await serve(hostile);
  const hbase = `http://127.0.0.1:${hserver.address().port}/`;
  for (const [label, bypassCSP] of [["under the CSP", false], ["with the CSP bypassed", true]]) {
    await scenario(`hostile docs and descriptions run nothing ${label}`, async () => {
      const ctx = await browser.newContext({ bypassCSP, viewport: { width: 1280, height: 900 } });
      const p = await ctx.newPage();
      const dialogs = [];
      const outside = [];
      p.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
      p.on("request", (req) => { const u = req.url(); if (!u.startsWith(hbase) && !u.startsWith("data:")) outside.push(u); });
      for (const rel of ["docs/default/component/svc/index.html", "docs/default/component/svc/more/index.html",
        "docs/default/component/svc/diagram/index.html",
        "catalog/default/component/svc/index.html", "catalog/default/group/team-a/index.html", "catalog/index.html", "index.html"]) {
        await p.goto(hbase + rel, { waitUntil: "load" });
        assert.ok(/Hostile|svc|team-a|Catalog|portal/i.test(await p.title()), `${rel}: ${await p.title()}`);
        if (rel.includes("/diagram/")) {
          // Drawn, labels as text with their markup stripped; the checks below find no handler or javascript: URL in it.
          await p.waitForFunction(() => document.querySelector("pre.mermaid svg"), null, { timeout: 15000 });
          assert.match(await p.locator("pre.mermaid").textContent(), /javascript:window\.__pwned='text'/);
        }
        // Fire what an inline handler would wait for.
        await p.evaluate(() => {
          for (const el of document.querySelectorAll("body *")) {
            for (const type of ["mouseover", "focus", "click"]) {
              if (type === "click" && el.closest("a[href], button, form")) continue;
              el.dispatchEvent(new Event(type, { bubbles: true }));
            }
          }
          for (const d of document.querySelectorAll("details")) d.open = !d.open;
        });
        await p.waitForTimeout(150);
        assert.equal(await p.evaluate(() => window.__pwned), undefined, `${rel}: a script ran`);
        const found = await p.evaluate(() => {
          const bad = [];
          for (const el of document.querySelectorAll("*")) {
            for (const a of el.attributes) if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}`);
          }
          for (const el of document.querySelectorAll("script:not([src]), iframe, frame, object, embed, base, form[action^='javascript' i], meta[http-equiv='refresh' i]")) bad.push(el.tagName);
          for (const s of document.querySelectorAll("script[src]")) if (!s.src.startsWith(location.origin + "/") || !/\/(static|static\/vendor\/mermaid|search|search\/[ntvrs])\/[^/]+\.js$/.test(s.src)) bad.push(`script ${s.src}`);
          for (const a of document.querySelectorAll("[href], [src], [action], [data]")) {
            for (const attr of ["href", "src", "action", "data"]) {
              const v = a.getAttribute(attr);
              if (v && /^\s*(javascript|vbscript|data:text)/i.test(v.replace(/[\s\u0000-\u001f]/g, ""))) bad.push(`${a.tagName} ${attr}=${v}`);
            }
          }
          return bad;
        });
        assert.deepEqual(found, [], rel);
      }
      // The search list shows hostile titles and descriptions as text.
      await p.goto(hbase + "index.html", { waitUntil: "load" });
      await p.locator("#site-search").pressSequentially("svc");
      await p.waitForFunction(() => {
        const l = document.getElementById("site-search-list");
        return l.getAttribute("data-q") === "svc" && l.getAttribute("aria-busy") === "false";
      }, null, { timeout: 15000 });
      assert.ok(await p.locator("#site-search-list [role=option]").count() > 0, "svc is found");
      await p.waitForTimeout(150);
      assert.equal(await p.evaluate(() => window.__pwned), undefined, "search list: a script ran");
      assert.equal(await p.locator("#site-search-list *:not([role]):not(span):not(div)").count(), 0, "only the list's own elements");
      // The markdown link and the link-shaped HTML are still there, as text.
      await p.goto(hbase + "docs/default/component/svc/index.html", { waitUntil: "load" });
      assert.match(await p.locator("main").innerText(), /a markdown javascript: link/);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(outside, []);
      await ctx.close();
    });
  }
  hserver.close();
}

await browser.close();
server.close();
const failed = results.filter((r) => !r.ok).length;
console.log(`\n${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
