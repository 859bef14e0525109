// Render TeX formulas to HTML with KaTeX, at build time, in one process.
//
// Usage: node katex_render.js REPO_ROOT  < request.json  > response.json
//   request:  {"macros": {"\\R": "\\mathbb{R}", ...},   (optional: the course's macros)
//              "formulas": [{"tex": "...", "display": true}, ...]}
//   response: {"version": "0.19.1",
//              "results": [{"html": "..."} | {"error": "KaTeX parse error: ..."}, ...]}
// One result per formula, in order. A formula KaTeX rejects yields an
// "error" entry; the process still exits 0 so every error can be reported.
// Exit status 2: KaTeX cannot be loaded or the request is not valid JSON.
"use strict";

const path = require("path");

function loadKatex(root) {
  try {
    return require(path.join(root, "node_modules", "katex"));
  } catch (err) {
    process.stderr.write(
      `cannot load KaTeX from ${path.join(root, "node_modules", "katex")}: ${err.message}\n` +
        "run `npm ci` in the repository root\n"
    );
    process.exit(2);
  }
}

function render(katex, tex, display, macros) {
  return katex.renderToString(tex, {
    displayMode: Boolean(display),
    output: "htmlAndMathml", // MathML for screen readers, HTML for the eye
    throwOnError: true, // a bad formula fails the build, never renders red
    strict: "ignore", // LaTeX-compatibility nits are not errors
    trust: false, // no \href, \url, \includegraphics, \htmlClass ...
    macros: Object.assign({}, macros), // a fresh copy per formula: \gdef cannot leak into another one
  });
}

function main() {
  const root = process.argv[2] || path.resolve(__dirname, "..", "..");
  const katex = loadKatex(root);
  const chunks = [];
  process.stdin.on("data", (c) => chunks.push(c));
  process.stdin.on("end", () => {
    let request;
    try {
      request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (err) {
      process.stderr.write(`katex_render.js: bad request: ${err.message}\n`);
      process.exit(2);
    }
    const results = request.formulas.map(({ tex, display }) => {
      try {
        return { html: render(katex, tex, display, request.macros || {}) };
      } catch (err) {
        return { error: String(err && err.message ? err.message : err) };
      }
    });
    process.stdout.write(JSON.stringify({ version: katex.version, results }));
  });
}

main();
