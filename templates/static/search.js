// Mounts Pagefind's default search UI in the header's #site-search (the index: lecturekit/engine/search.py).
// Every address is made from the page's own location and its relative root, so search works under any
// sub-path. From file:// a browser refuses to fetch the index, so the box says the site must be served.
(function () {
  "use strict";
  var box = document.getElementById("site-search");
  if (!box) return;
  var root = new URL(box.getAttribute("data-root") || "./", document.baseURI);
  function say(text) {
    var note = document.createElement("p");
    note.className = "search-unavailable";
    note.textContent = text;
    box.replaceChildren(note);
  }
  if (root.protocol === "file:") {
    say("Search needs the site to be served (make serve)");
    return;
  }
  var bundle = new URL("pagefind/", root).pathname; // where the index is; results link from the site root beside it
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onload = function () {
    new window.PagefindUI({
      element: "#site-search",
      bundlePath: bundle,
      showSubResults: true, // each section a result of its own, linked to its heading
      showImages: false,
      resetStyles: false,
      // Its form is the page's search landmark, named by search_label.
      translations: { placeholder: "Search the course", search_label: "Search the course" },
    });
  };
  // The results open below the box, over the page: shown while the reader is in the search, hidden once
  // they click elsewhere, follow a result or tab out (Escape empties the box, which Pagefind's UI does).
  function open(yes) {
    box.classList.toggle("search-open", yes);
  }
  box.addEventListener("focusin", function () { open(true); });
  box.addEventListener("input", function () { open(true); });
  box.addEventListener("click", function (event) {
    if (event.target.closest("a")) open(false);
  });
  box.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !box.contains(event.relatedTarget)) open(false);
  });
  document.addEventListener("pointerdown", function (event) {
    if (!box.contains(event.target)) open(false);
  });
  script.onerror = function () {
    say("Search is unavailable: its index did not load");
  };
  document.head.appendChild(script);
})();
