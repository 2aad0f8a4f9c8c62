// The catalog index, which is also the full results page of a search
// (?q=): the free text and the facet filters go to the portal's one search
// engine (window.portolanSearch, from search.js), which ranks the query's
// matches with the same rules as the top bar and lists everything, sorted
// by ref, when there is no query. The page shows one page of rows at a
// time, and the docs sections the query matches.
(function () {
  "use strict";
  var PAGE = 50;
  var form = document.getElementById("filters");
  if (!form || !window.portolanSearch) return;
  var fields = ["q", "kind", "type", "lifecycle", "owner", "system", "tag"];
  var facetOf = { type: "types", lifecycle: "lifecycles", owner: "owners", system: "systems", tag: "tags" };
  var el = function (id) { return document.getElementById(id); };
  var tbody = document.querySelector("#entities tbody");
  var root = document.body.getAttribute("data-root") || "";
  // The page has a namespace column when the catalog has more than one namespace.
  var withNamespace = !!document.querySelector("#entities th.col-namespace");
  var page = 1, filled = false, generation = 0, labels = null;

  function params() {
    var p = new URLSearchParams(window.location.search), out = {};
    fields.forEach(function (f) { out[f] = p.get(f) || ""; });
    out.page = parseInt(p.get("page") || "1", 10) || 1;
    return out;
  }
  function fillSelect(name, list) {
    var sel = el("f-" + name), keep = sel.options[0], value = sel.value;
    sel.textContent = "";
    sel.appendChild(keep);
    list.forEach(function (pair) {
      var o = document.createElement("option");
      o.value = pair[0];
      // Labels are unique: the site adds the ref to a title two owners share.
      o.textContent = pair[1];
      sel.appendChild(o);
    });
    sel.value = value;
  }
  function state() {
    var s = { q: el("f-q").value.trim() };
    fields.slice(1).forEach(function (f) { s[f] = el("f-" + f).value; });
    return s;
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function label(facet, i) { return labels && i >= 0 && labels[facet][i] ? labels[facet][i][1] : ""; }
  function link(url, text) {
    var a = document.createElement("a");
    a.href = root + url;
    a.textContent = text;
    return a;
  }
  function showDocs(res, q) {
    var box = el("docs-results"), list = el("docs-list");
    list.textContent = "";
    box.hidden = !res.docs.length;
    el("docs-count").textContent = res.docsTotal > res.docs.length ? " (first " + res.docs.length + " of " + res.docsTotal + ")" : "";
    res.docs.forEach(function (d) {
      var li = document.createElement("li");
      li.appendChild(link(d.url, d.heading === d.title ? d.title : d.title + " › " + d.heading));
      var m = document.createElement("span");
      m.className = "muted";
      m.textContent = " · " + d.entity;
      li.appendChild(m);
      var p = document.createElement("p");
      p.className = "desc";
      p.textContent = d.description;
      li.appendChild(p);
      list.appendChild(li);
    });
    var none = el("no-results");
    none.textContent = "";
    none.hidden = !(q && !res.total && !res.docs.length);
    if (!none.hidden) {
      none.appendChild(document.createTextNode("No results for “" + q + "”." + (res.nearest.length ? " Nearest names: " : "")));
      res.nearest.forEach(function (w, i) {
        if (i) none.appendChild(document.createTextNode(", "));
        var a = document.createElement("a");
        a.href = "?q=" + encodeURIComponent(w);
        a.textContent = w;
        none.appendChild(a);
      });
    }
  }
  function render() {
    var s = state(), mine = ++generation;
    el("loading").hidden = false;
    form.removeAttribute("data-ready");
    window.portolanSearch.list(s.q, s, (page - 1) * PAGE, PAGE).then(function (res) {
      if (mine !== generation) return;
      labels = res.facets;
      if (!filled && labels) {
        filled = true;
        Object.keys(facetOf).forEach(function (name) { fillSelect(name, labels[facetOf[name]] || []); });
        var p = params();
        fields.slice(1).forEach(function (name) { if (p[name]) el("f-" + name).value = p[name]; });
        if (JSON.stringify(state()) !== JSON.stringify(s)) { render(); return; }
      }
      var pages = Math.max(1, Math.ceil(res.total / PAGE));
      if (page > pages) { page = pages; render(); return; }
      tbody.textContent = "";
      res.rows.forEach(function (r) {
        var tr = document.createElement("tr");
        var td = document.createElement("td");
        td.appendChild(link(r[0], r[2]));
        tr.appendChild(td);
        if (withNamespace) cell(tr, r[3].slice(r[3].indexOf(":") + 1, r[3].lastIndexOf("/")));
        cell(tr, label("kinds", r[1]));
        cell(tr, label("types", r[4]));
        cell(tr, label("lifecycles", r[5]));
        cell(tr, label("owners", r[6]));
        cell(tr, r[9], "desc");
        tbody.appendChild(tr);
      });
      el("result-count").textContent = res.total + (res.total === 1 ? " entity" : " entities");
      el("page-info").textContent = "Page " + page + " of " + pages;
      el("prev").disabled = page <= 1;
      el("next").disabled = page >= pages;
      el("loading").hidden = true;
      showDocs(res, s.q);
      form.setAttribute("data-ready", "1");
    });
  }
  function syncUrl() {
    var s = state(), p = new URLSearchParams();
    fields.forEach(function (f) { if (s[f]) p.set(f, s[f]); });
    if (page > 1) p.set("page", String(page));
    var qs = p.toString();
    try { history.replaceState(null, "", qs ? "?" + qs : window.location.pathname.split("/").pop()); } catch (e) { /* file:// may refuse */ }
  }
  function changed() { page = 1; syncUrl(); render(); }

  var start = params();
  el("f-q").value = start.q;
  if (start.kind) el("f-kind").value = start.kind;
  page = start.page;
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); changed(); });
  form.addEventListener("reset", function () { setTimeout(changed, 0); });
  el("prev").addEventListener("click", function () { if (page > 1) { page--; syncUrl(); render(); } });
  el("next").addEventListener("click", function () { page++; syncUrl(); render(); });
  render();
})();
