// Live reload for `portolan serve`. The server adds this script to the
// pages it serves; it is never part of a built site. It loads from the
// site's own origin and listens with EventSource, so it runs under the
// portal's Content-Security-Policy (script-src 'self', connect-src 'self').
(function () {
  "use strict";
  var overlay = null;

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(text) {
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.id = "portolan-serve-overlay";
      overlay.setAttribute("role", "alert");
      overlay.setAttribute("aria-label", "Rebuild failed");
      var head = document.createElement("p");
      head.className = "portolan-serve-head";
      head.textContent =
        "The last edit did not build; this is the last good site. Fix the errors and save: the page reloads.";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "Hide";
      close.addEventListener("click", hide);
      head.appendChild(close);
      var pre = document.createElement("pre");
      overlay.appendChild(head);
      overlay.appendChild(pre);
      document.body.appendChild(overlay);
    }
    // Diagnostics are catalog text: shown as text, never as markup.
    overlay.querySelector("pre").textContent = text;
  }

  var events = new EventSource("/__portolan/events");
  events.addEventListener("reload", function () {
    window.location.reload();
  });
  events.addEventListener("failed", function (e) {
    var text = "";
    try {
      text = JSON.parse(e.data).text;
    } catch (err) {
      text = String(e.data);
    }
    show(text);
  });
})();
