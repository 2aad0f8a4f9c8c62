// Loads the portal's search engine (themes/default/static/search-engine.js)
// in Node over a built site's search/ folder, exactly as the page runs it
// from file://: each index file is a script calling portolanIndex.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const engineFile = path.join(here, "../../themes/default/static/search-engine.js");

export function load(site) {
  const sandbox = { console, URL, Promise, Map, Set };
  sandbox.self = sandbox;
  vm.createContext(sandbox);
  vm.runInContext(fs.readFileSync(engineFile, "utf8"), sandbox, { filename: engineFile });
  const engine = sandbox.portolanEngine;
  let bytes = 0;
  const loaded = [];
  engine.init((id) => {
    const file = path.join(site, "search", id + ".js");
    if (!fs.existsSync(file)) return;
    const text = fs.readFileSync(file, "utf8");
    bytes += Buffer.byteLength(text);
    loaded.push(id + ":" + Buffer.byteLength(text));
    vm.runInContext(text, sandbox, { filename: file });
  });
  return { engine, stats: () => ({ bytes, files: loaded.length, loaded: loaded.slice() }) };
}
