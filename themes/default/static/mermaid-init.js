// Draws the page's Mermaid diagrams (`<pre class="mermaid">`, from ```mermaid
// fences) with the vendored bundle (static/vendor/mermaid/). docs.html loads
// both scripts only on docs pages that have a diagram.
//
// Diagram source comes from any team's pull request, so it is untrusted:
// securityLevel "strict" encodes HTML in labels and turns click handlers off
// (and Mermaid's `secure` keys keep a diagram's own %%{init}%% from changing
// it); labels are SVG text, not HTML in a foreignObject.
(function () {
  "use strict";
  var mermaid = window.mermaid;
  if (!mermaid) return;
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  mermaid.initialize({
    startOnLoad: true,
    securityLevel: "strict",
    theme: dark ? "dark" : "default",
    htmlLabels: false,
    flowchart: { htmlLabels: false },
  });
})();
