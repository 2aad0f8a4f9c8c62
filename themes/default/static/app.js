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
