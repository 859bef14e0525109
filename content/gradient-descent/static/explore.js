// The explorer (section 8). Every (lr, beta) run was computed and drawn at build time and
// sits in the page as a static strip of figures; this script hides the strip and shows two
// sliders that pick one of those figures. The figure's caption is the read-out.
"use strict";
document.querySelectorAll("[data-explorer]").forEach((box) => {
  const strip = box.querySelector(".explorer-strip"), ui = box.querySelector(".explorer-ui");
  const sliders = { lr: ui.querySelector("input[data-axis=lr]"), beta: ui.querySelector("input[data-axis=beta]") };
  const image = ui.querySelector("img"), readout = ui.querySelector("[aria-live]");
  const runs = new Map();
  strip.querySelectorAll("figure[data-i]").forEach((run) => runs.set(run.dataset.i + "," + run.dataset.j, run));

  function show() {
    const run = runs.get(sliders.lr.value + "," + sliders.beta.value);
    if (!run) return;
    const picture = run.querySelector("img");
    image.src = picture.getAttribute("src");
    image.alt = picture.alt;
    readout.innerHTML = run.querySelector("figcaption").innerHTML;  // built by the site, not user input
    for (const [axis, slider] of Object.entries(sliders)) {
      const value = run.dataset[axis];
      slider.setAttribute("aria-valuetext", (axis === "lr" ? "lr = " : "beta = ") + value);
      ui.querySelector(`output[for="${slider.id}"]`).value = value;
    }
  }

  sliders.lr.addEventListener("input", show);
  sliders.beta.addEventListener("input", show);
  strip.hidden = true;
  ui.hidden = false;
  show();
});
