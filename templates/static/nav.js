// The course menu (a <details> in the header, shown on narrow screens): Escape or a click outside closes it.
// The page's contents (nav.toc): the link of the section in view is marked aria-current="true", found when a
// heading crosses the top quarter of the window (an IntersectionObserver, so nothing runs on every scroll).
(() => {
  const menu = document.querySelector("details.menu");
  if (menu) {
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  }

  const toc = document.querySelector("nav.toc");
  if (!toc || !("IntersectionObserver" in window)) return;
  const entries = [...toc.querySelectorAll('a[href^="#"]')]
    .map((link) => ({ link, heading: document.getElementById(decodeURIComponent(link.hash.slice(1))) }))
    .filter((entry) => entry.heading);
  if (!entries.length) return;
  let marked = null;

  function mark() {
    const line = innerHeight / 4;
    const atEnd = innerHeight + scrollY >= document.documentElement.scrollHeight - 2;
    let current = null;
    for (const entry of entries) {  // in document order, as the contents list them
      const top = entry.heading.getBoundingClientRect().top;
      if (top <= line || (atEnd && top < innerHeight)) current = entry;
    }
    if (current === marked) return;
    if (marked) marked.link.removeAttribute("aria-current");
    marked = current;
    if (!current) return;
    current.link.setAttribute("aria-current", "true");
    const box = toc.closest(".sidebar") || toc;  // keep the marked link in view where the column scrolls
    const link = current.link.getBoundingClientRect(), frame = box.getBoundingClientRect();
    if (box.scrollHeight > box.clientHeight && (link.top < frame.top || link.bottom > frame.bottom))
      box.scrollTop += link.top - frame.top - frame.height / 3;
  }

  const observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -75% 0px" });
  entries.forEach((entry) => observer.observe(entry.heading));
  const footer = document.querySelector("footer");
  if (footer) new IntersectionObserver(mark).observe(footer);  // the last sections, which never reach the top
  mark();
})();
