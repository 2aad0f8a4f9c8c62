// The top bar's search: a combobox whose listbox shows results as you type
// (entities, then teams and users, then docs sections, each group placed by
// its best hit). Enter opens the highlighted result, or the top one; "See
// all results" opens the catalog index with the query (?q=), which has the
// facets. The engine (search-engine.js) runs in a Web Worker when the site
// is served and in the page from file://; window.portolanSearch is the one
// client the catalog index uses too.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  // ---- The client: the same calls in a worker or in the page -------------
  var client = (function () {
    var worker = null, seq = 0, waiting = {}, local = null;
    if (location.protocol !== "file:" && typeof Worker === "function") {
      try {
        worker = new Worker(root + "static/search-engine.js");
        worker.onmessage = function (ev) {
          var w = waiting[ev.data.id];
          delete waiting[ev.data.id];
          if (w) { if (ev.data.error) w[1](new Error(ev.data.error)); else w[0](ev.data.result); }
        };
      } catch (e) { worker = null; }
    }
    function engine() {
      if (!local) {
        local = new Promise(function (resolve, reject) {
          function ready() {
            var e = window.portolanEngine;
            e.init(function (id) {
              return new Promise(function (done) {
                var s = document.createElement("script");
                s.src = root + "search/" + id + ".js";
                s.onload = s.onerror = function () { s.remove(); done(); };
                document.head.appendChild(s);
              });
            });
            resolve(e);
          }
          if (window.portolanEngine) return ready();
          var s = document.createElement("script");
          s.src = root + "static/search-engine.js";
          s.onload = ready;
          s.onerror = reject;
          document.head.appendChild(s);
        });
      }
      return local;
    }
    function call(method, args) {
      if (worker) {
        return new Promise(function (resolve, reject) {
          var id = ++seq;
          waiting[id] = [resolve, reject];
          worker.postMessage({ id: id, method: method, args: args });
        });
      }
      return engine().then(function (e) { return e[method].apply(null, args); });
    }
    return {
      suggest: function (q, opts) { return call("suggest", [q, opts || {}]); },
      list: function (q, filters, offset, size) { return call("list", [q, filters || {}, offset || 0, size || 50]); },
      inWorker: !!worker,
    };
  })();
  window.portolanSearch = client;

  // ---- The combobox --------------------------------------------------------
  var input = document.getElementById("site-search");
  var form = input && input.form;
  if (!input || !form) return;
  var box = document.createElement("div");
  box.className = "ss-popup";
  box.hidden = true;
  // The list scrolls in a short window; keyboard users move through it with
  // the arrow keys (the active option scrolls into view), and a click on it
  // must not take the focus from the box.
  box.tabIndex = -1;
  box.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
  var listbox = document.createElement("div");
  listbox.id = "site-search-list";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Search results");
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  var message = document.createElement("p");
  message.className = "ss-message";
  message.id = "site-search-message";
  box.appendChild(message);
  box.appendChild(listbox);
  form.appendChild(box);
  form.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);

  var options = [], active = -1, generation = 0, last = null, enterWanted = false;
  var GROUPS = { entities: "Catalog", people: "Teams and people", docs: "Docs" };

  function seeAll(q) { return root + "catalog/index.html?q=" + encodeURIComponent(q); }
  function open(show) {
    box.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
  }
  function setActive(i) {
    if (active >= 0 && options[active]) options[active].el.setAttribute("aria-selected", "false");
    active = i;
    if (i >= 0 && options[i]) {
      options[i].el.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[i].el.id);
      options[i].el.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function go(opt) {
    if (opt.url) window.location.href = root + opt.url;
    else if (opt.query !== undefined) { input.value = opt.query; update(); input.focus(); }
  }
  function option(parent, opt, main, detail, extra) {
    var el = document.createElement("div");
    el.setAttribute("role", "option");
    el.setAttribute("aria-selected", "false");
    el.id = "ss-opt-" + options.length;
    el.className = "ss-option";
    var a = document.createElement("span");
    a.className = "ss-main";
    a.textContent = main;
    el.appendChild(a);
    if (detail) { var d = document.createElement("span"); d.className = "ss-detail"; d.textContent = detail; el.appendChild(d); }
    if (extra) { var x = document.createElement("span"); x.className = "ss-desc"; x.textContent = extra; el.appendChild(x); }
    var index = options.length;
    el.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    el.addEventListener("click", function () { setActive(index); go(opt); });
    parent.appendChild(el);
    options.push({ el: el, url: opt.url, query: opt.query });
  }
  function render(res) {
    last = res;
    // What the list shows, for assistive tech (busy until docs are in) and tests.
    listbox.setAttribute("aria-busy", res.complete ? "false" : "true");
    listbox.setAttribute("data-q", res.q || "");
    listbox.textContent = "";
    options = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    var q = input.value.trim();
    if (!q) { open(false); status.textContent = ""; return; }
    res.groups.forEach(function (g) {
      var group = document.createElement("div");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", GROUPS[g.name]);
      group.className = "ss-group";
      var h = document.createElement("div");
      h.className = "ss-head";
      h.setAttribute("aria-hidden", "true");
      h.textContent = GROUPS[g.name];
      group.appendChild(h);
      g.items.forEach(function (it) {
        if (it.type === "doc") {
          // The page and the heading it matched; the results page has the text.
          option(group, it, it.heading === it.title ? it.title : it.title + " › " + it.heading, it.entity);
        } else {
          var bits = [it.kindLabel, it.ref.slice(it.ref.lastIndexOf("/") + 1)];
          if (it.owner) bits.push(it.owner);
          if (it.lifecycle) bits.push(it.lifecycle);
          // Teams and people need no description to be told apart.
          option(group, it, it.title, bits.join(" · "), g.name === "people" ? "" : it.description);
        }
      });
      listbox.appendChild(group);
    });
    if (res.total) {
      message.textContent = "";
      message.hidden = true;
      var all = document.createElement("div");
      all.setAttribute("role", "group");
      all.setAttribute("aria-label", "More");
      option(all, { url: seeAll(q).slice(root.length) }, "See all " + res.total + " results for “" + q + "”");
      listbox.appendChild(all);
      status.textContent = res.total + (res.total === 1 ? " result" : " results") + "; use the arrow keys to choose";
    } else if (res.complete) {
      message.hidden = false;
      message.textContent = "No results for “" + q + "”." + (res.nearest.length ? " Nearest names:" : "");
      if (res.nearest.length) {
        var near = document.createElement("div");
        near.setAttribute("role", "group");
        near.setAttribute("aria-label", "Nearest names");
        res.nearest.forEach(function (w) { option(near, { query: w }, w); });
        listbox.appendChild(near);
      }
      status.textContent = message.textContent + " " + res.nearest.join(", ");
    }
    listbox.hidden = !options.length;
    open(res.total > 0 || res.complete);
    if (enterWanted && res.complete) { enterWanted = false; enter(); }
  }
  function top() {
    return options.length && last && last.total ? options[0] : null;
  }
  function enter() {
    var opt = active >= 0 ? options[active] : top();
    if (opt) go(opt);
    else if (last && last.total === 0 && last.complete) open(true);
  }
  function update() {
    var q = input.value.trim(), mine = ++generation;
    if (!q) { render({ q: "", groups: [], total: 0, complete: true, nearest: [] }); return; }
    // Names first (a small index), then descriptions and docs.
    client.suggest(q, { text: false }).then(function (res) {
      if (mine !== generation) return;
      if (res.total) render(res);
      return client.suggest(q, {}).then(function (full) { if (mine === generation) render(full); });
    });
  }
  input.addEventListener("input", function () { enterWanted = false; update(); });
  input.addEventListener("focus", function () { if (input.value.trim() && last) open(true); });
  input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 150); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!options.length) return;
      ev.preventDefault();
      open(true);
      var n = options.length, d = ev.key === "ArrowDown" ? 1 : -1;
      setActive(active < 0 ? (d > 0 ? 0 : n - 1) : (active + d + n) % n);
    } else if (ev.key === "Escape") {
      if (!box.hidden) { ev.preventDefault(); open(false); setActive(-1); }
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (!input.value.trim()) return;
      // Results for what was typed may still be on their way: open the
      // top one when they arrive.
      if (!last || !last.complete || last.q !== input.value.trim()) { enterWanted = true; if (!last || last.q !== input.value.trim()) update(); return; }
      enter();
    }
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  if (input.value.trim()) update();
})();
