// Site-wide behaviour: "/" focuses the search box, as on GitHub and most portals.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var box = document.getElementById("site-search");
    if (box) { ev.preventDefault(); box.focus(); box.select(); }
  });
})();

// Filter boxes (scorecard check lists, the health report): each select with
// data-filter="key" keeps the rows whose data-key matches; a select with
// data-filter-jump goes to the page and row its option names. Collapsed
// by default on phones (details[data-collapse-narrow]), open elsewhere.
(function () {
  "use strict";
  var wide = window.matchMedia ? window.matchMedia("(min-width: 721px)").matches : true;
  document.querySelectorAll("details[data-collapse-narrow]").forEach(function (d) { if (wide) d.open = true; });
  document.querySelectorAll("form[data-filter-table]").forEach(function (form) {
    var list = document.getElementById(form.getAttribute("data-filter-table"));
    if (!list) return;
    var rows = list.querySelectorAll("[data-" + "severity], tbody tr, li[data-code]");
    var count = form.querySelector("[data-filter-count]");
    function apply() {
      var wanted = [];
      form.querySelectorAll("select[data-filter]").forEach(function (s) {
        if (s.value) wanted.push([s.getAttribute("data-filter"), s.value]);
      });
      var shown = 0;
      rows.forEach(function (r) {
        var ok = wanted.every(function (w) { return r.getAttribute("data-" + w[0]) === w[1]; });
        r.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = wanted.length ? shown + " of " + rows.length + " shown" : "";
    }
    form.addEventListener("change", function (ev) {
      var t = ev.target;
      if (t && t.hasAttribute("data-filter-jump")) {
        if (t.value) window.location.href = t.value;
        return;
      }
      apply();
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  });
  // The catalog's filter form: on phones only the search box shows until
  // "More filters" is pressed, so the first results are above the fold.
  var cat = document.querySelector("form.filters");
  if (cat && !wide) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "filters-toggle";
    b.textContent = "More filters";
    b.setAttribute("aria-expanded", "false");
    b.addEventListener("click", function () {
      var open = cat.classList.toggle("filters-open");
      b.setAttribute("aria-expanded", open ? "true" : "false");
    });
    cat.appendChild(b);
  }
})();
