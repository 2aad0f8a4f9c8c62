// The catalog index: filters the compact index (catalog/data/*.js) in the
// browser. The data arrives as script files rather than network requests, so the portal also
// works when opened straight from file://. Shards load one after the other;
// the table renders as soon as the first one is in.
(function () {
  "use strict";
  var PAGE = 50;
  var form = document.getElementById("filters");
  if (!form) return;
  var dataDir = form.getAttribute("data-data");
  var shardCount = parseInt(form.getAttribute("data-shards") || "0", 10);
  var facets = null, rows = [], loaded = 0, page = 1;
  var fields = ["q", "kind", "type", "lifecycle", "owner", "system", "tag"];
  var facetOf = { kind: "kinds", type: "types", lifecycle: "lifecycles", owner: "owners", system: "systems", tag: "tags" };
  var el = function (id) { return document.getElementById(id); };
  var tbody = document.querySelector("#entities tbody");
  // The page has a namespace column when the catalog has more than one namespace.
  var withNamespace = !!document.querySelector("#entities th.col-namespace");

  function load(src) {
    var s = document.createElement("script");
    s.src = dataDir + src;
    s.async = false;
    document.head.appendChild(s);
  }
  function params() {
    var p = new URLSearchParams(window.location.search), out = {};
    fields.forEach(function (f) { out[f] = p.get(f) || ""; });
    out.page = parseInt(p.get("page") || "1", 10) || 1;
    return out;
  }
  function fillSelect(name) {
    var sel = el("f-" + name), list = facets[facetOf[name]] || [];
    var keep = sel.options[0];
    sel.textContent = "";
    sel.appendChild(keep);
    list.forEach(function (pair) {
      var o = document.createElement("option");
      o.value = pair[0];
      // Labels are unique: the site adds the ref to a title two owners share.
      o.textContent = pair[1];
      sel.appendChild(o);
    });
  }
  function state() {
    var s = { q: el("f-q").value.trim().toLowerCase() };
    fields.slice(1).forEach(function (f) { s[f] = el("f-" + f).value; });
    return s;
  }
  function indexOf(facet, value) {
    if (!value) return -2;
    var list = facets[facet];
    for (var i = 0; i < list.length; i++) if (list[i][0] === value) return i;
    return -3;
  }
  function matches(r, s, want) {
    if (want.kind !== -2 && r[1] !== want.kind) return false;
    if (want.type !== -2 && r[4] !== want.type) return false;
    if (want.lifecycle !== -2 && r[5] !== want.lifecycle) return false;
    if (want.owner !== -2 && r[6] !== want.owner) return false;
    if (want.system !== -2 && r[7] !== want.system) return false;
    if (want.tag !== -2 && r[8].indexOf(want.tag) < 0) return false;
    if (s.q) {
      var hay = (r[2] + " " + r[3] + " " + r[9] + " " + r[8].map(function (t) { return facets.tags[t][0]; }).join(" ")).toLowerCase();
      var words = s.q.split(/\s+/);
      for (var i = 0; i < words.length; i++) if (hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function label(facet, i) { return i >= 0 ? facets[facet][i][1] : ""; }
  function render() {
    if (!facets) return;
    var s = state(), want = {};
    Object.keys(facetOf).forEach(function (f) { want[f] = indexOf(facetOf[f], s[f]); });
    var hits = [];
    for (var i = 0; i < rows.length; i++) if (matches(rows[i], s, want)) hits.push(rows[i]);
    if (s.q) {
      // Exact and prefix name matches first: typing "pay" lands on payments-api.
      var rank = function (r) {
        var n = r[3].split("/").pop(), t = r[2].toLowerCase();
        if (n === s.q || t === s.q) return 0;
        if (n.indexOf(s.q) === 0 || t.indexOf(s.q) === 0) return 1;
        return 2;
      };
      hits = hits.map(function (r, i) { return [rank(r), i, r]; })
        .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
        .map(function (x) { return x[2]; });
    }
    var pages = Math.max(1, Math.ceil(hits.length / PAGE));
    if (page > pages) page = pages;
    tbody.textContent = "";
    hits.slice((page - 1) * PAGE, page * PAGE).forEach(function (r) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      var a = document.createElement("a");
      a.href = r[0] + "index.html";
      a.textContent = r[2];
      td.appendChild(a);
      tr.appendChild(td);
      if (withNamespace) cell(tr, r[3].slice(r[3].indexOf(":") + 1, r[3].lastIndexOf("/")));
      cell(tr, label("kinds", r[1]));
      cell(tr, label("types", r[4]));
      cell(tr, label("lifecycles", r[5]));
      cell(tr, label("owners", r[6]));
      cell(tr, r[9], "desc");
      tbody.appendChild(tr);
    });
    var complete = loaded >= shardCount;
    el("result-count").textContent = hits.length + (hits.length === 1 ? " entity" : " entities") +
      (complete ? "" : " so far (loading " + loaded + "/" + shardCount + ")");
    el("page-info").textContent = "Page " + page + " of " + pages;
    el("prev").disabled = page <= 1;
    el("next").disabled = page >= pages;
    el("loading").hidden = complete;
  }
  function syncUrl() {
    var s = state(), p = new URLSearchParams();
    fields.forEach(function (f) { var v = f === "q" ? el("f-q").value.trim() : s[f]; if (v) p.set(f, v); });
    if (page > 1) p.set("page", String(page));
    var qs = p.toString();
    try { history.replaceState(null, "", qs ? "?" + qs : window.location.pathname.split("/").pop()); } catch (e) { /* file:// may refuse */ }
  }
  function changed() { page = 1; syncUrl(); render(); }

  window.portolanFacets = function (f) {
    facets = f;
    Object.keys(facetOf).forEach(function (name) { if (name !== "kind") fillSelect(name); });
    var p = params();
    fields.forEach(function (name) { if (p[name]) el("f-" + name).value = p[name]; });
    page = p.page;
    for (var i = 0; i < shardCount; i++) load("shard-" + i + ".js");
  };
  window.portolanShard = function (i, data) {
    for (var j = 0; j < data.length; j++) rows.push(data[j]);
    loaded++;
    if (loaded === 1 || loaded === shardCount || loaded % 5 === 0) render();
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); changed(); });
  form.addEventListener("reset", function () { setTimeout(changed, 0); });
  el("prev").addEventListener("click", function () { if (page > 1) { page--; syncUrl(); render(); } });
  el("next").addEventListener("click", function () { page++; syncUrl(); render(); });
  el("loading").hidden = false;
  load("facets.js");
})();
