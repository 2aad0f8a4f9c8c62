// The relevance suite: runs the portal's own search engine (the file the
// browser runs) over a built site's index and checks each query's top
// result, as the top bar would open it on Enter.
//
//   node tests/search/relevance.mjs SITE_DIR SUITE.json
//
// Prints one line per query and "relevance: P/N"; exits 1 on any miss.
import fs from "node:fs";
import { load } from "./engine.mjs";

const [site, suiteFile] = process.argv.slice(2);
const suite = JSON.parse(fs.readFileSync(suiteFile, "utf8"));
const { engine } = load(site);
let passed = 0;
for (const [q, want] of suite.queries) {
  const r = await engine.suggest(q, {});
  const first = r.groups.length ? r.groups[0].items[0] : null;
  const got = first ? (first.type === "doc" ? first.url.split("#")[0] : first.ref) : "(no result)";
  const ok = got === want;
  if (ok) passed++;
  console.log(`${ok ? "ok  " : "MISS"} ${JSON.stringify(q)} -> ${got}${ok ? "" : ` (want ${want})`}`);
}
console.log(`relevance: ${passed}/${suite.queries.length}`);
process.exit(passed === suite.queries.length ? 0 : 1);
