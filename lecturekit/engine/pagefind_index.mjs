// Index the site's pages for search with Pagefind, at build time, in one process.
//
// Usage: node pagefind_index.mjs REPO_ROOT  < request.json  > response.json
//   request:  {"options": {...Pagefind's createIndex options...},
//              "pages": [{"url": "gradient-descent/index.html", "html": "<!doctype html>..."}, ...]}
//   response: {"version": "1.6.0", "pages": [{"url": ..., "words": 1234}, ...],   (unique words indexed)
//              "files": [{"path": "pagefind.js", "base64": "..."}, ...]}   (paths inside the index folder)
// A page's url is where it is in the site, relative to the site's root; the
// search page turns it into a link from wherever the index is served.
// Exit status 2: Pagefind cannot be loaded or the request is not valid JSON;
// 1: Pagefind reported an error (written to stderr).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

function fail(status, message) {
  process.stderr.write(`pagefind_index.mjs: ${message}\n`);
  process.exit(status);
}

function check(response, what) {
  if (response.errors && response.errors.length) fail(1, `${what}: ${response.errors.join("; ")}`);
  return response;
}

async function main() {
  const root = process.argv[2] || path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
  const packageDir = path.join(root, "node_modules", "pagefind");
  let pagefind, version;
  try {
    pagefind = await import(pathToFileURL(path.join(packageDir, "lib", "index.js")).href);
    version = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")).version;
  } catch (err) {
    fail(2, `cannot load Pagefind from ${packageDir}: ${err.message}; run \`npm ci\` in the repository root`);
  }
  let request;
  try {
    request = JSON.parse(fs.readFileSync(0, "utf8"));
  } catch (err) {
    fail(2, `bad request: ${err.message}`);
  }
  const { index } = check(await pagefind.createIndex(request.options || {}), "cannot create the index");
  const pages = [];
  for (const page of request.pages) {
    const { file } = check(await index.addHTMLFile({ url: page.url, content: page.html }), page.url);
    pages.push({ url: file.url, words: file.uniqueWords });
  }
  const { files } = check(await index.getFiles(), "cannot write the index");
  process.stdout.write(JSON.stringify({
    version,
    pages,
    files: files.map((f) => ({ path: f.path, base64: Buffer.from(f.content).toString("base64") })),
  }));
  await pagefind.close();
}

main().catch((err) => fail(1, String(err && err.stack ? err.stack : err)));
