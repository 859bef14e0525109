// Live reload: `make serve` puts this script into each page it serves (lecturekit/livereload.py); the
// built site never has it. The page reloads after a good build; while the last build failed, the build's
// error is shown over the page, which is still the last good one.
(function () {
  "use strict";
  var servedAfter = Number(document.currentScript.getAttribute("data-lecturekit-build"));
  var OVERLAY = "lecturekit-build-error";

  function show(error) {
    var overlay = document.getElementById(OVERLAY);
    if (!error) {
      if (overlay) overlay.remove();
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = OVERLAY;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:60vh;overflow:auto;" +
        "margin:0;padding:1rem 1.25rem;background:#fff4f2;color:#5c0b05;border-top:4px solid #c62828;" +
        "box-shadow:0 -.5rem 1.5rem rgba(0,0,0,.3);font:15px/1.5 system-ui,sans-serif;";
      var title = document.createElement("p");
      title.style.cssText = "margin:0 0 .5rem;font-weight:700;";
      title.textContent = "The build failed. This is the last good page; it reloads when a build succeeds.";
      var text = document.createElement("pre");
      text.style.cssText =
        "margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.45 ui-monospace,monospace;";
      var hide = document.createElement("button");
      hide.type = "button";
      hide.textContent = "Hide";
      hide.style.cssText = "float:right;margin-left:1rem;font:inherit;";
      hide.addEventListener("click", function () { overlay.hidden = true; });
      overlay.append(hide, title, text);
      document.body.appendChild(overlay);
    }
    overlay.hidden = false;
    overlay.querySelector("pre").textContent = error;
  }

  var events = new EventSource("/__lecturekit/events");
  events.onmessage = function (message) {
    var state = JSON.parse(message.data);
    if (state.good !== servedAfter) {
      events.close();
      location.reload();
    } else {
      show(state.error);
    }
  };
})();
