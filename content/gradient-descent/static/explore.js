// The explorer (section 8), in two kinds. Without JavaScript each shows its static strip of
// runs computed at build time; this script hides the strip and shows the controls.
// - [data-explorer-live]: the heavy ball on a quadratic, run here at every move of a control.
//   Everything it knows (A, the ranges, the optimum, where each image's axes are) is the JSON
//   the build put in that attribute (compute_explore.explore_live).
// - [data-explorer]: two stepped sliders that pick one of the strip's precomputed runs.
"use strict";

// The loop of lecturekit.numerics.descent.momentum_path on f(w) = w^T A w (gradient 2 A w);
// beta = 0 is descent_path. Stops after a step shorter than eps, or at the first non-finite point.
function heavyBall(A, start, lr, beta, epochs, eps) {
  let w = start.slice(), v = w.map(() => 0);
  const path = [w];
  for (let k = 0; k < epochs; k++) {
    const grad = A.map((row) => 2 * row.reduce((sum, a, j) => sum + a * w[j], 0));
    v = v.map((vi, i) => beta * vi - lr * grad[i]);
    const next = w.map((wi, i) => wi + v[i]);
    path.push(next);
    if (!next.every(Number.isFinite) || Math.hypot(...next.map((x, i) => x - w[i])) < eps) break;
    w = next;
  }
  return path;
}

// The read-outs, defined as in compute_explore.py (distances, first_close_step, settled_step,
// steady_rate) and theory.momentum_rate; a browser test checks both sides agree.
const distances = (path, wStar) => path.map((w) => {
  const d = Math.hypot(...w.map((x, i) => x - wStar[i]));
  return Number.isNaN(d) ? Infinity : d;
});
function firstCloseStep(e, fraction) {
  const k = e.findIndex((d) => d < fraction * e[0]);
  return k < 0 ? null : k;
}
function settledStep(e, fraction) {
  const close = e.map((d) => d < fraction * e[0]);
  return close[close.length - 1] ? close.lastIndexOf(false) + 1 : null;
}
function steadyRate(path, wStar, tolerance, minSteps) {
  const e = distances(path, wStar), floor = Math.max(2.2250738585072014e-308, 1e-12 * Math.hypot(...wStar));
  let m = e.findIndex((d) => !(Number.isFinite(d) && d > floor));
  if (m < 0) m = e.length;
  const tail = e.slice(Math.floor((m - 1) / 2), m);
  if (tail.length - 1 < minSteps) return null;
  const rate = (tail[tail.length - 1] / tail[0]) ** (1 / (tail.length - 1));
  const steady = tail.slice(1).every((d, k) => Math.abs(Math.log(d / tail[k] / rate)) <= Math.log1p(tolerance));
  return steady ? rate : null;
}
function predictedRate(lams, lr, beta) {  // largest root modulus of z^2 - (1 + beta - 2 lr lam) z + beta
  return Math.max(...lams.map((lam) => {
    const a = 1 + beta - 2 * lr * lam, disc = a * a - 4 * beta;
    return disc < 0 ? Math.sqrt(beta) : Math.max(Math.abs(a + Math.sqrt(disc)), Math.abs(a - Math.sqrt(disc))) / 2;
  }));
}
window.lectureExplorer = { heavyBall, distances, firstCloseStep, settledStep, steadyRate, predictedRate };

const SVG = "http://www.w3.org/2000/svg";
function svgElement(name, attributes, parent) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (parent) parent.appendChild(element);
  return element;
}
const number = (x, digits) => (Math.abs(x) < 1e-12 ? 0 : x).toFixed(digits).replace("-", "−");
const SUPERSCRIPTS = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
function sig(x, digits) {  // as the page's sig filter: 3 significant digits, ×10ⁿ outside everyday sizes
  if (x === 0 || !Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6) return number(x, Math.max(digits - 1 - Math.floor(Math.log10(Math.abs(x))), 0));
  const [mantissa, exponent] = x.toExponential(digits - 1).split("e");
  return `${mantissa.replace("-", "−")}×10${[...String(Number(exponent))].map((c) => SUPERSCRIPTS[c]).join("")}`;
}
const percent = (x, digits = 3) => sig(100 * x, digits) + "%";

// An SVG laid exactly over one image, with its axes' data coordinates (from the build).
function overlay(canvas, view, id) {
  const [W, H] = view.image_px, [left, bottom, right, top] = view.axes;
  const svg = svgElement("svg", { viewBox: `0 0 ${W} ${H}`, class: "explorer-overlay" }, canvas);
  const unit = (v, [lo, hi], log) => (log ? Math.log10(v / lo) / Math.log10(hi / lo) : (v - lo) / (hi - lo));
  const defs = svgElement("defs", {}, svg), clip = svgElement("clipPath", { id }, defs);
  const marker = svgElement("marker", { id: `${id}-step`, markerWidth: 6, markerHeight: 6, refX: 3, refY: 3,
    markerUnits: "userSpaceOnUse" }, defs);
  svgElement("circle", { cx: 3, cy: 3, r: 2.4, class: "explorer-step" }, marker);
  svgElement("rect", { x: left * W, y: (1 - top) * H, width: (right - left) * W, height: (top - bottom) * H }, clip);
  return {
    svg, plot: svgElement("g", { "clip-path": `url(#${id})` }, svg), stepMarker: `url(#${id}-step)`,
    toPx: (x, y) => [(left + unit(x, view.x) * (right - left)) * W,
      (1 - bottom - unit(y, view.y, view.y_scale === "log") * (top - bottom)) * H],
    fromEvent(event) {  // data coordinates of a pointer event (linear axes)
      const box = svg.getBoundingClientRect();
      const u = ((event.clientX - box.left) / box.width - left) / (right - left);
      const v = (1 - (event.clientY - box.top) / box.height - bottom) / (top - bottom);
      return [view.x[0] + u * (view.x[1] - view.x[0]), view.y[0] + v * (view.y[1] - view.y[0])];
    },
  };
}

function liveExplorer(box) {
  const data = JSON.parse(box.dataset.explorerLive), ui = box.querySelector(".explorer-ui");
  const sliders = { lr: ui.querySelector("input[data-axis=lr]"), beta: ui.querySelector("input[data-axis=beta]") };
  const readout = ui.querySelector(".explorer-readout"), views = {};
  ui.querySelectorAll(".explorer-canvas").forEach((canvas) => {
    views[canvas.dataset.view] = overlay(canvas, data.views[canvas.dataset.view], `${box.id}-${canvas.dataset.view}`);
  });
  const state = { lr: data.lr, beta: data.beta, start: data.start.slice(), path: [] };
  const clamp = (x, [lo, hi]) => Math.min(hi, Math.max(lo, x));

  const { contours, map, distance } = views;
  const path = svgElement("polyline", { class: "explorer-path", "marker-start": contours.stepMarker,
    "marker-mid": contours.stepMarker, "marker-end": contours.stepMarker }, contours.plot);
  const [cx, cy] = contours.toPx(...data.w_star);  // the minimum, above the path that ends on it
  const star = Array.from({ length: 10 }, (_, k) => {
    const r = k % 2 ? 4.2 : 10, angle = k * Math.PI / 5;
    return `${cx + r * Math.sin(angle)},${cy - r * Math.cos(angle)}`;
  });
  svgElement("polygon", { class: "explorer-minimum", points: star.join(" ") }, contours.svg);
  const handle = svgElement("g", { class: "explorer-start", tabindex: "0", role: "application",
    "aria-roledescription": "movable start point" }, contours.svg);
  svgElement("circle", { r: 24, class: "explorer-hit" }, handle);
  svgElement("circle", { r: 13, class: "explorer-focus" }, handle);
  svgElement("circle", { r: 7, class: "explorer-start-dot" }, handle);
  const ring = svgElement("g", {}, map.svg);
  svgElement("circle", { r: 9, class: "explorer-setting-outer" }, ring);
  svgElement("circle", { r: 9, class: "explorer-setting-inner" }, ring);
  const curve = svgElement("polyline", { class: "explorer-path" }, distance.plot);
  const settledDot = svgElement("circle", { r: 4.5, class: "explorer-settled" }, distance.plot);
  const closeDot = svgElement("circle", { r: 4.5, class: "explorer-close" }, distance.plot);

  function place(dot, step, ratio) {
    dot.style.display = step === null ? "none" : "";
    if (step === null) return;
    const [x, y] = distance.toPx(step, ratio);
    dot.setAttribute("cx", x);
    dot.setAttribute("cy", y);
  }

  function describe(e, settled, firstClose, measured) {
    const steps = state.path.length - 1, close = `within ${percent(data.steps_fraction, 1)} of w*`;
    const last = state.path[steps], overflowed = !last.every(Number.isFinite);
    let outcome;
    if (e[0] === 0) outcome = "The start is the minimum w*: there is nothing to do.";
    else if (overflowed) outcome = `Diverges: it overflows at step ${steps}.`;
    else if (!(e[steps] <= e[0])) outcome = `Diverges: after ${steps} steps it is ${sig(e[steps] / e[0], 3)} times as far from w* as it started.`;
    else if (settled !== null) outcome = `Stays ${close} from step ${settled} on; ends at ${percent(e[steps] / e[0])} of its starting distance.`;
    else if (firstClose !== null) outcome = `Comes ${close} at step ${firstClose}, then leaves; ends at ${percent(e[steps] / e[0])} of its starting distance.`;
    else outcome = `Never ${close} in ${steps} steps; ends at ${percent(e[steps] / e[0])} of its starting distance.`;
    const stopped = steps < data.epochs && !overflowed && e[0] > 0 ? ` It stops after ${steps} steps, when a step gets shorter than ε.` : "";
    const rho = predictedRate(data.eigenvalues, state.lr, state.beta);
    const rate = `Predicted rate ρ = ${number(rho, 3)} per step; ` +
      (measured === null ? "no steady rate to measure on this path." : `measured ${number(measured, 3)}.`);
    return `η = ${number(state.lr, 3)}, β = ${number(state.beta, 3)}, from w₀ = (${number(state.start[0], 2)}, ${number(state.start[1], 2)}). ${outcome}${stopped} ${rate}`;
  }

  function update() {
    state.path = heavyBall(data.A, state.start, state.lr, state.beta, data.epochs, data.eps);
    const far = state.path.findIndex((w) => !w.every((x) => Math.abs(x) < 1e3));  // beyond it nothing shows
    const finite = far < 0 ? state.path : state.path.slice(0, far + 1).filter((w) => w.every(Number.isFinite));
    path.setAttribute("points", finite.map((w) => contours.toPx(...w).join(",")).join(" "));
    const [sx, sy] = contours.toPx(...state.start);
    handle.setAttribute("transform", `translate(${sx},${sy})`);
    handle.setAttribute("aria-label", `Start point w₀ = (${number(state.start[0], 2)}, ${number(state.start[1], 2)}); arrow keys move it by 0.1, with Shift by 1`);
    const [mx, my] = map.toPx(state.lr, state.beta);
    ring.setAttribute("transform", `translate(${mx},${my})`);
    const e = distances(state.path, data.w_star), ratio = e.map((d) => Math.min(1e6, Math.max(1e-12, d / e[0] || 1e-12)));
    curve.setAttribute("points", ratio.map((r, k) => distance.toPx(k, r).join(",")).join(" "));
    const settled = e[0] > 0 ? settledStep(e, data.steps_fraction) : null;
    const firstClose = e[0] > 0 ? firstCloseStep(e, data.steps_fraction) : null;
    place(settledDot, settled, ratio[settled]);
    place(closeDot, settled === null ? firstClose : null, ratio[firstClose]);
    const measured = steadyRate(state.path, data.w_star, data.rate_tolerance, data.rate_min_steps);
    for (const [axis, slider] of Object.entries(sliders)) {
      slider.value = state[axis];
      slider.setAttribute("aria-valuetext", `${axis === "lr" ? "η" : "β"} = ${number(state[axis], 3)}`);
      ui.querySelector(`output[for="${slider.id}"]`).value = number(state[axis], 3);
    }
    readout.textContent = describe(e, settled, firstClose, measured);
  }

  function setRates(lr, beta) {
    state.lr = clamp(lr, data.lr_range);
    state.beta = clamp(beta, data.beta_range);
    update();
  }
  const moveStart = (w) => { state.start = w.map((x, i) => clamp(x, data.views.contours[i ? "y" : "x"])); update(); };

  for (const [axis, slider] of Object.entries(sliders)) {
    slider.addEventListener("input", () => { state[axis] = Number(slider.value); update(); });
    slider.addEventListener("keydown", (event) => {  // arrows move by 0.01, Page Up/Down by 0.1
      const delta = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 }[event.key];
      if (!delta) return;
      event.preventDefault();
      state[axis] = Math.round(100 * state[axis] + delta) / 100;
      setRates(state.lr, state.beta);
    });
  }
  let dragging = false;
  handle.addEventListener("pointerdown", (event) => {
    dragging = true;
    handle.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  handle.addEventListener("pointermove", (event) => dragging && moveStart(contours.fromEvent(event)));
  handle.addEventListener("pointerup", () => { dragging = false; });
  contours.svg.addEventListener("click", (event) => { if (!handle.contains(event.target)) moveStart(contours.fromEvent(event)); });
  handle.addEventListener("keydown", (event) => {
    const move = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[event.key];
    if (!move) return;
    event.preventDefault();
    const step = event.shiftKey ? 10 : 1;
    moveStart(state.start.map((x, i) => Math.round(10 * x + step * move[i]) / 10));
  });
  map.svg.addEventListener("click", (event) => setRates(...map.fromEvent(event)));
  map.svg.addEventListener("pointermove", (event) => event.buttons === 1 && event.pointerType === "mouse" && setRates(...map.fromEvent(event)));
  ui.querySelector("[data-action=optimum]").addEventListener("click", () => setRates(data.optimum.lr, data.optimum.beta));
  ui.querySelector("[data-action=reset]").addEventListener("click", () => {
    state.start = data.start.slice();
    setRates(data.lr, data.beta);
  });
  box.explorer = state;  // for the browser tests
  box.querySelector(".explorer-strip").hidden = true;
  ui.hidden = false;
  update();
}

function steppedExplorer(box) {
  const strip = box.querySelector(".explorer-strip"), ui = box.querySelector(".explorer-ui");
  const sliders = { lr: ui.querySelector("input[data-axis=lr]"), beta: ui.querySelector("input[data-axis=beta]") };
  const readout = ui.querySelector("[aria-live]");
  let shown = ui.querySelector(".explorer-view picture");
  const runs = new Map();
  strip.querySelectorAll("figure[data-i]").forEach((run) => runs.set(run.dataset.i + "," + run.dataset.j, run));

  function show() {
    const run = runs.get(sliders.lr.value + "," + sliders.beta.value);
    if (!run) return;
    // The run's own <picture>: its light and dark files, whichever scheme the reader has.
    const picture = run.querySelector("picture").cloneNode(true);
    picture.querySelector("img").removeAttribute("loading");
    shown.replaceWith(picture);
    shown = picture;
    readout.innerHTML = run.querySelector("figcaption").innerHTML;  // built by the site, not user input
    for (const [axis, slider] of Object.entries(sliders)) {
      const value = run.dataset[axis];
      slider.setAttribute("aria-valuetext", (axis === "lr" ? "η = " : "β = ") + value);
      ui.querySelector(`output[for="${slider.id}"]`).value = value;
    }
  }

  sliders.lr.addEventListener("input", show);
  sliders.beta.addEventListener("input", show);
  strip.hidden = true;
  ui.hidden = false;
  show();
}

document.querySelectorAll("[data-explorer-live]").forEach(liveExplorer);
document.querySelectorAll("[data-explorer]").forEach(steppedExplorer);
