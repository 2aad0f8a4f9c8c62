// The portal's search engine: one implementation for the top bar, the
// catalog index's filters and the full results page, run in a Web Worker
// where the site is served and in the page where it is opened from file://
// (a worker cannot load from file://). tests/search.rs runs this same file
// in Node for the relevance suite.
//
// The index (search/*.js, written by `portolan build`) is loaded a shard at
// a time: a query fetches the name-index shards of its words' prefixes and
// the rows of the results it shows; description and docs text come second.
//
// Ranking, best first (the tier of an entity is its worst word's):
//   0 exact name · 1 name prefix (words in order from the first) ·
//   2 every word starts a word of the name · 3 the same with typos
//   (words of 4+ letters, 1 edit, 2 from 8 letters) · 4 title · 5 tag or
//   chat channel · 6 owner · 7 docs heading (a docs section) ·
//   8 description · 9 docs text (a docs section).
// Equal tiers keep index order: kind (Component, API, System, Group, …),
// then the entity with more relations, then the ref.
(function (self) {
  "use strict";

  // ---- Tokenizer: the same algorithm as src/search/tokenize.rs ----------
  var WORD = /[\p{Alphabetic}\p{N}]/u, LOWER = /\p{Lowercase}/u, UPPER = /\p{Uppercase}/u;
  var MAX_TOKEN_CHARS = 40;
  function isWord(c) { return WORD.test(c); }
  function isJoiner(c) { return c === "-" || c === "_" || c === "."; }
  function push(out, t) {
    if (!t) return;
    var cs = Array.from(t);
    out.push(cs.length > MAX_TOKEN_CHARS ? cs.slice(0, MAX_TOKEN_CHARS).join("") : t);
  }
  function splitCase(word, out) {
    var start = 0;
    for (var i = 1; i < word.length; i++) {
      var prev = word[i - 1], cur = word[i];
      var nextLower = i + 1 < word.length && LOWER.test(word[i + 1]);
      if ((LOWER.test(prev) && UPPER.test(cur)) || (UPPER.test(prev) && UPPER.test(cur) && nextLower)) {
        push(out, word.slice(start, i).join("").toLowerCase());
        start = i;
      }
    }
    push(out, word.slice(start).join("").toLowerCase());
  }
  function tokenize(text) {
    var out = [], chars = Array.from(String(text)), i = 0;
    while (i < chars.length) {
      var c = chars[i];
      if (c === "#" && (i === 0 || !isWord(chars[i - 1]))) {
        var s = i + 1, e = s;
        while (e < chars.length && (isWord(chars[e]) || isJoiner(chars[e]))) e++;
        while (e > s && isJoiner(chars[e - 1])) e--;
        if (e > s && isWord(chars[s])) push(out, ("#" + chars.slice(s, e).join("")).toLowerCase());
        i++;
        continue;
      }
      if (!isWord(c)) { i++; continue; }
      var start = i;
      while (i < chars.length && isWord(chars[i])) i++;
      splitCase(chars.slice(start, i), out);
    }
    return out;
  }
  // The file name of a shard key, as src/search/shards.rs writes it.
  function fileKey(key) {
    var out = "";
    Array.from(key).forEach(function (c) {
      out += /[a-z0-9]/.test(c) ? c : "_" + c.codePointAt(0).toString(16) + "_";
    });
    return out;
  }

  // ---- Loading -------------------------------------------------------------
  var loadFile = null, files = {}, pending = {};
  self.portolanIndex = function (id, data) { files[id] = data; };
  function need(ids) {
    var missing = ids.filter(function (id) { return !(id in files); });
    if (!missing.length) return Promise.resolve();
    return Promise.all(missing.map(function (id) {
      if (!pending[id]) {
        pending[id] = Promise.resolve(loadFile(id)).then(function () {
          if (!(id in files)) files[id] = null;
        }, function () { files[id] = null; });
      }
      return pending[id];
    }));
  }
  function meta() { return need(["meta"]).then(function () { return files.meta; }); }

  // ---- Postings -------------------------------------------------------------
  // A shard is [[term, list, list, …], …] sorted by term; lists are deltas.
  function decoded(entry, i) {
    var key = "_" + i;
    if (!entry[key]) {
      var list = entry[i], out = new Array(list.length), v = 0;
      for (var j = 0; j < list.length; j++) { v += list[j]; out[j] = v; }
      entry[key] = out;
    }
    return entry[key];
  }
  function keysFor(keys, t) {
    return keys.filter(function (k) { return k.indexOf(t) === 0 || t.indexOf(k) === 0; });
  }
  // Every [term, …] entry whose term starts with `t` (or equals it).
  function entries(family, keys, t, exactOnly) {
    var out = [];
    keysFor(keys, t).forEach(function (k) {
      var shard = files[family + "/" + fileKey(k)];
      if (!shard) return;
      var lo = 0, hi = shard.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (shard[mid][0] < t) lo = mid + 1; else hi = mid; }
      for (var i = lo; i < shard.length && shard[i][0].indexOf(t) === 0; i++) {
        if (exactOnly && shard[i][0] !== t) break;
        out.push(shard[i]);
      }
    });
    return out;
  }
  function shardIds(family, keys, terms) {
    var ids = {};
    terms.forEach(function (t) { keysFor(keys, t).forEach(function (k) { ids[family + "/" + fileKey(k)] = 1; }); });
    return Object.keys(ids);
  }

  // ---- Typos ------------------------------------------------------------------
  // Optimal string alignment distance of `a` to the closest prefix of `b`
  // whose length is within `k` of a's (a typo in a word being typed).
  function prefixDistance(a, b, k) {
    var best = k + 1;
    var n = a.length, m = Math.min(b.length, n + k);
    var prev2 = null, prev = [], row;
    for (var j = 0; j <= m; j++) prev.push(j);
    for (var i = 1; i <= n; i++) {
      row = [i];
      var rowMin = i;
      for (j = 1; j <= m; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        row.push(v);
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > k) return k + 1;
      prev2 = prev;
      prev = row;
    }
    for (j = Math.max(1, n - k); j <= m; j++) if (prev[j] < best) best = prev[j];
    return best;
  }
  function allowedEdits(t) { return t.length >= 8 ? 2 : 1; }
  function typoCandidates(m, t, limit) {
    var words = files["v/" + fileKey(Array.from(t)[0])] || [], k = allowedEdits(t), found = [];
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w.indexOf(t) === 0) continue;
      var d = prefixDistance(t, w, k);
      if (d <= k) found.push([d, w]);
    }
    found.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    return found.slice(0, limit).map(function (x) { return x[1]; });
  }

  // ---- Query -------------------------------------------------------------------
  function queryTokens(q) {
    var seen = {}, out = [];
    tokenize(q).forEach(function (t) { if (!seen[t]) { seen[t] = 1; out.push(t); } });
    if (out.length > 1) out = out.filter(function (t) { return Array.from(t).length > 1 || /\d/.test(t); });
    return out.slice(0, 8);
  }
  function typoAble(t) { return Array.from(t).length >= 4 && t[0] !== "#" && !/^\d+$/.test(t); }

  // Entities by tier from the name index: {id: tier}.
  function nameMatches(m, toks) {
    var files0 = shardIds("n", m.n, toks);
    var vocab = toks.filter(typoAble).map(function (t) { return Array.from(t)[0]; })
      .filter(function (c) { return m.v.indexOf(c) >= 0; }).map(function (c) { return "v/" + fileKey(c); });
    return need(files0.concat(vocab)).then(function () {
      var typos = toks.map(function (t) { return typoAble(t) ? typoCandidates(m, t, 6) : []; });
      var extra = [];
      typos.forEach(function (ws) { extra = extra.concat(ws); });
      return need(shardIds("n", m.n, extra)).then(function () { return typos; });
    }).then(function (typos) {
      // Per word: id -> field rank (0 name, 1 name typo, 2 title, 3 tag, 4 owner)
      // and the name positions it matched in order (for tiers 0 and 1).
      var per = toks.map(function (t, i) {
        var best = new Map(), inOrder = new Map(), exact = new Map(), words = new Map();
        function note(id, rank) { var b = best.get(id); if (b === undefined || rank < b) best.set(id, rank); }
        function scan(list, typo) {
          list.forEach(function (e) {
            var isExact = e[0] === t && !typo;
            decoded(e, 1).forEach(function (v) {
              var id = Math.floor(v / 64), pos = (v >> 3) & 7;
              note(id, typo ? 1 : 0);
              if (!typo) {
                words.set(id, v & 7);
                if (pos === Math.min(i, 7)) { inOrder.set(id, 1); if (isExact) exact.set(id, 1); }
              }
            });
            [2, 3, 4].forEach(function (f) { decoded(e, f).forEach(function (id) { note(id, f); }); });
          });
        }
        scan(entries("n", m.n, t), false);
        typos[i].forEach(function (w) { scan(entries("n", m.n, w, true), true); });
        return { best: best, inOrder: inOrder, exact: exact, words: words };
      });
      per.sort(function (a, b) { return a.best.size - b.best.size; });
      var out = new Map();
      var order = toks.map(function (t, i) { return i; });
      per[0].best.forEach(function (r0, id) {
        var worst = 0, allOrder = true, allExact = true, count = -1;
        for (var j = 0; j < per.length; j++) {
          var r = per[j].best.get(id);
          if (r === undefined) return;
          if (r > worst) worst = r;
          if (!per[j].inOrder.has(id)) allOrder = false;
          if (!per[j].exact.has(id)) allExact = false;
          if (per[j].words.has(id)) count = per[j].words.get(id);
        }
        var tier = worst === 0 ? (allOrder ? (allExact && count === Math.min(order.length, 7) ? 0 : 1) : 2) : worst + 2;
        out.set(id, tier);
      });
      return out;
    });
  }

  // Description matches (tier 8) and docs sections (7 heading, 9 text).
  function textMatches(m, toks, names) {
    return need(shardIds("t", m.t, toks)).then(function () {
      var per = toks.map(function (t) {
        var desc = new Set(), head = new Set(), text = new Set();
        entries("t", m.t, t).forEach(function (e) {
          decoded(e, 1).forEach(function (id) { desc.add(id); });
          decoded(e, 2).forEach(function (id) { head.add(id); });
          decoded(e, 3).forEach(function (id) { text.add(id); });
        });
        return { desc: desc, head: head, text: text };
      });
      // An entity qualifies when every word is in its names or its description.
      var nameSets = toks.map(function (t) {
        var s = new Set();
        entries("n", m.n, t).forEach(function (e) {
          decoded(e, 1).forEach(function (v) { s.add(Math.floor(v / 64)); });
          [2, 3, 4].forEach(function (f) { decoded(e, f).forEach(function (id) { s.add(id); }); });
        });
        return s;
      });
      var ents = new Map();
      per[0].desc.forEach(function (id) { if (!names.has(id)) ents.set(id, 8); });
      nameSets[0].forEach(function (id) { if (!names.has(id)) ents.set(id, 8); });
      ents.forEach(function (tier, id) {
        for (var j = 0; j < toks.length; j++) if (!per[j].desc.has(id) && !nameSets[j].has(id)) { ents.delete(id); return; }
        var onlyNames = true;
        for (j = 0; j < toks.length; j++) if (!nameSets[j].has(id)) onlyNames = false;
        if (onlyNames) ents.delete(id);
      });
      var secs = new Map();
      per[0].head.forEach(function (id) { secs.set(id, 7); });
      per[0].text.forEach(function (id) { if (!secs.has(id)) secs.set(id, 9); });
      secs.forEach(function (tier, id) {
        var t2 = 7;
        for (var j = 0; j < toks.length; j++) {
          if (per[j].head.has(id)) continue;
          if (per[j].text.has(id)) { t2 = 9; continue; }
          secs.delete(id);
          return;
        }
        secs.set(id, t2);
      });
      return { ents: ents, secs: secs };
    });
  }

  function sorted(map) {
    var out = [];
    map.forEach(function (tier, id) { out.push([tier, id]); });
    out.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return out;
  }
  function rows(family, ids) {
    var chunks = {};
    var size = files.meta.chunk;
    ids.forEach(function (id) { chunks[family + "/" + Math.floor(id / size)] = 1; });
    return need(Object.keys(chunks)).then(function () {
      return ids.map(function (id) { var c = files[family + "/" + Math.floor(id / size)]; return c ? c[id % size] : null; });
    });
  }
  // The closest words to a query with no results, for "did you mean".
  function nearest(m, toks) {
    var t = toks.filter(function (x) { return Array.from(x).length >= 3 && x[0] !== "#"; }).sort(function (a, b) { return b.length - a.length; })[0];
    if (!t) return Promise.resolve([]);
    // Every word of the name index (only asked for when nothing matched).
    var ids = m.v.map(function (c) { return "v/" + fileKey(c); });
    return need(ids).then(function () {
      var words = [], k = 3, found = [];
      ids.forEach(function (id) { words = words.concat(files[id] || []); });
      words.forEach(function (w) { var d = prefixDistance(t, w, k); if (d <= k) found.push([d, w]); });
      found.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : 1); });
      return found.slice(0, 5).map(function (x) { return x[1]; });
    });
  }

  // Everything a query matches, ranked: {entities: [[tier, id]], sections: [[tier, id]]}.
  // `text` false stops after the name index (the as-you-type first pass).
  function match(q, text) {
    return meta().then(function (m) {
      var toks = queryTokens(q);
      if (!m || !toks.length || (toks.length === 1 && Array.from(toks[0]).length < 2 && !/\d/.test(toks[0]))) {
        return { m: m, toks: toks, entities: [], sections: [] };
      }
      return nameMatches(m, toks).then(function (names) {
        if (!text) return { m: m, toks: toks, entities: sorted(names), sections: [] };
        return textMatches(m, toks, names).then(function (t) {
          t.ents.forEach(function (tier, id) { names.set(id, tier); });
          return { m: m, toks: toks, entities: sorted(names), sections: sorted(t.secs) };
        });
      });
    });
  }

  var PEOPLE = { "group": 1, "user": 1 };
  // An entity's kind from its number (numbers are in kind order, see meta.kindStarts).
  function kindOf(m, id) {
    var starts = m.kindStarts, lo = 0, hi = starts.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (starts[mid][1] <= id) lo = mid; else hi = mid - 1; }
    return starts.length ? starts[lo][0] : "";
  }
  // The dropdown: up to `limit` entities, teams and users, and docs
  // sections, each group ordered by its best hit.
  function suggest(q, opts) {
    opts = opts || {};
    var limit = opts.limit || 5;
    return match(q, opts.text !== false).then(function (r) {
      var m = r.m;
      if (!m) return { q: q, groups: [], total: 0, nearest: [] };
      // Rows of the best few of each group only.
      var head = [], nEnts = 0, nPeople = 0;
      for (var h = 0; h < r.entities.length && (nEnts < limit || nPeople < 3); h++) {
        var isPeople = !!PEOPLE[kindOf(m, r.entities[h][1])];
        if (isPeople ? nPeople++ < 3 : nEnts++ < limit) head.push(r.entities[h]);
      }
      return rows("r", head.map(function (x) { return x[1]; })).then(function (rs) {
        var ents = [], people = [];
        head.forEach(function (x, i) {
          var row = rs[i];
          if (!row) return;
          var kind = m.kinds[row[1]] ? m.kinds[row[1]][0] : "";
          var item = { type: "entity", tier: x[0], url: row[0], title: row[2], ref: row[3], kind: kind,
            kindLabel: m.kinds[row[1]] ? m.kinds[row[1]][1] : "", lifecycle: row[5] >= 0 ? m.lifecycles[row[5]][1] : "",
            owner: row[10], description: row[9] };
          (PEOPLE[kind] ? people : ents).push(item);
        });
        var secHead = r.sections.slice(0, limit);
        return rows("s", secHead.map(function (x) { return x[1]; })).then(function (ss) {
          var docs = [];
          secHead.forEach(function (x, i) {
            var s = ss[i];
            if (s) docs.push({ type: "doc", tier: x[0], url: s[0], title: s[1], heading: s[2], entity: s[3], description: s[4] });
          });
          var groups = [
            { name: "entities", items: ents.slice(0, limit) },
            { name: "people", items: people.slice(0, 3) },
            { name: "docs", items: docs.slice(0, 3) },
          ].filter(function (g) { return g.items.length; });
          groups.forEach(function (g, i) { g.order = i; });
          groups.sort(function (a, b) { return a.items[0].tier - b.items[0].tier || a.order - b.order; });
          var total = r.entities.length + r.sections.length;
          var done = { q: q, groups: groups, total: total, complete: opts.text !== false, nearest: [] };
          if (total || opts.text === false) return done;
          return nearest(m, r.toks).then(function (n) { done.nearest = n; return done; });
        });
      });
    });
  }

  var FACETS = ["kind", "type", "lifecycle", "owner", "system", "tag"];
  var COLUMN = { kind: 1, type: 4, lifecycle: 5, owner: 6, system: 7 };
  var LIST = { kind: "kinds", type: "types", lifecycle: "lifecycles", owner: "owners", system: "systems", tag: "tags" };
  // The catalog index and results page: every entity the query and the
  // facet filters match (all of them with no query, sorted by ref), one
  // page of rows, and the docs sections the query matches.
  function list(q, filters, offset, size) {
    return Promise.all([meta(), need(["facets"])]).then(function (x) {
      var m = x[0], f = files.facets || { owners: [], systems: [] };
      if (!m) return { total: 0, rows: [], docs: [], facets: null, nearest: [] };
      var lists = { kinds: m.kinds, types: m.types, lifecycles: m.lifecycles, tags: m.tags, owners: f.owners, systems: f.systems };
      var want = {};
      FACETS.forEach(function (name) {
        var v = filters && filters[name];
        if (!v) return;
        var l = lists[LIST[name]], at = -3;
        for (var i = 0; i < l.length; i++) if (l[i][0] === v) at = i;
        want[name] = at;
      });
      var ranked = q && q.trim() ? match(q, true) : null;
      var ids = ranked ? ranked.then(function (r) { return { r: r, ids: r.entities.map(function (e) { return e[1]; }) }; })
        : Promise.resolve({ r: null, ids: Array.from({ length: m.rows }, function (_, i) { return i; }) });
      return ids.then(function (got) {
        return rows("r", got.ids).then(function (rs) {
          var hits = [];
          for (var i = 0; i < rs.length; i++) {
            var row = rs[i], ok = !!row;
            for (var name in want) {
              if (!ok) break;
              if (name === "tag") ok = row[8].indexOf(want.tag) >= 0;
              else ok = row[COLUMN[name]] === want[name];
            }
            if (ok) hits.push(row);
          }
          if (!got.r) hits.sort(function (a, b) { return a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0; });
          var secs = got.r ? got.r.sections.slice(0, 20) : [];
          return rows("s", secs.map(function (s) { return s[1]; })).then(function (ss) {
            var out = { total: hits.length, rows: hits.slice(offset || 0, (offset || 0) + (size || 50)), facets: lists,
              docs: ss.filter(Boolean).map(function (s) { return { url: s[0], title: s[1], heading: s[2], entity: s[3], description: s[4] }; }),
              docsTotal: got.r ? got.r.sections.length : 0, nearest: [] };
            if (!got.r || out.total || out.docsTotal) return out;
            return nearest(m, got.r.toks).then(function (n) { out.nearest = n; return out; });
          });
        });
      });
    });
  }

  var engine = {
    init: function (load) { loadFile = load; },
    tokenize: tokenize,
    fileKey: fileKey,
    match: match,
    suggest: suggest,
    list: list,
  };
  self.portolanEngine = engine;

  // In a worker: the page posts {id, method, args}; shards load with importScripts.
  if (typeof document === "undefined" && typeof importScripts === "function" && typeof postMessage === "function") {
    var base = new URL("../search/", self.location.href).href;
    engine.init(function (id) { importScripts(base + id + ".js"); });
    self.onmessage = function (ev) {
      var d = ev.data;
      engine[d.method].apply(null, d.args).then(function (result) {
        postMessage({ id: d.id, result: result });
      }, function (e) { postMessage({ id: d.id, error: String(e) }); });
    };
  }
})(typeof self !== "undefined" ? self : globalThis);
