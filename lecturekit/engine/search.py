"""Search across the course: a Pagefind index of the site's pages, made at build time, served as static files.

The pages are indexed in memory, as the build assembled them, by one
`node pagefind_index.mjs` process (Pagefind's Node API). A page is indexed
when it marks the part worth searching with `data-pagefind-body` (the
lecture template marks its <main>); its headings' ids make each section a
result of its own. The index files go under `pagefind/` in the site, with
Pagefind's default UI (`pagefind-ui.js`, `pagefind-ui.css`), which
`assets/search.js` mounts in the header.

The index is stored by a key of the pages' HTML, Pagefind's version, this
indexer's script and its options: a build whose pages did not change does
not start Node.
"""
import base64
import hashlib
from pathlib import Path

from . import node
from .keys import digest

PAGEFIND_DIR = node.NODE_MODULES / "pagefind"
INDEX_SCRIPT = Path(__file__).resolve().with_name("pagefind_index.mjs")
GLUE = node.REPO_ROOT / "templates" / "static" / "search.js"  # mounts Pagefind's UI in the page
INDEX_DIR = "pagefind"  # the index's folder in the site
BODY_MARK = b"data-pagefind-body"
OPTIONS = {
    "keepIndexUrl": True,  # results link to .../index.html: works on any static server, and offline
    # Not worth finding (Pagefind leaves out <nav> itself): the link to results.json, pilcrows, and KaTeX's
    # drawn copy of each formula and its TeX source (the MathML's text, such as "η", is what an excerpt shows).
    "excludeSelectors": [".results-link", ".headerlink", ".katex-html", "annotation"],
}
# Pagefind writes every UI it has; the site uses the default one.
UNUSED = ("pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.js")


def pagefind_version():
    return node.package_version(PAGEFIND_DIR, "Pagefind")


def searchable_pages(files):
    """The site's pages that mark a body to index: {site path: HTML bytes}, in path order."""
    return {path: files[path] for path in sorted(files)
            if path.endswith(".html") and isinstance(files[path], bytes) and BODY_MARK in files[path]}


def index_key(pages):
    """What the index depends on: Pagefind, the indexer and its options, and every indexed page's bytes."""
    return digest("pagefind", pagefind_version(), hashlib.sha256(INDEX_SCRIPT.read_bytes()).hexdigest(), OPTIONS,
                  [[path, hashlib.sha256(html).hexdigest()] for path, html in pages.items()])


def run_pagefind(pages):
    """Pagefind's index of `pages` (site path -> HTML bytes): {path in the index folder: bytes}."""
    request = {"options": OPTIONS, "pages": [{"url": path, "html": html.decode("utf-8")} for path, html in pages.items()]}
    doing = "build the search index"
    files = node.answer(node.start(INDEX_SCRIPT, request, doing), INDEX_SCRIPT, doing, "files")
    return {f["path"]: base64.b64decode(f["base64"]) for f in files if not f["path"].startswith(UNUSED)}


def search_files(files, store):
    """The search's files to add to the site `files` (path -> bytes): the index of its pages and the UI's glue.

    Pagefind runs only when the pages differ from every recent build's: the index is stored by their key.
    """
    pages = searchable_pages(files)
    found = {"assets/search.js": GLUE.read_bytes()}
    if not pages:
        return found
    key = index_key(pages)
    stored = store.get_json("search", key)
    if stored is None:
        index = run_pagefind(pages)
        store.put_json("search", key, {path: base64.b64encode(data).decode("ascii") for path, data in index.items()})
    else:
        index = {path: base64.b64decode(data) for path, data in stored.items()}
    found.update((f"{INDEX_DIR}/{path}", data) for path, data in index.items())
    return found
