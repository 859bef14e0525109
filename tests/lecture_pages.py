"""A built lecture's pages, in reading order: its first page and then its parts, as lecture.md lists them."""
from pathlib import Path

from lecturekit.engine.frontmatter import LECTURE_SCHEMA, PART_SCHEMA, parse_front_matter


def page_names(folder):
    """Site file names of a lecture's pages: index.html, then one per part (basics.md -> basics.html)."""
    source = Path(folder) / "lecture.md"
    meta = parse_front_matter(source.read_text(encoding="utf-8"), source, LECTURE_SCHEMA)[0]
    return ["index.html"] + [name.removesuffix(".md") + ".html" for name in meta.get("parts", [])]


def markdown(folder):
    """{part title (the lecture's title for lecture.md): its Markdown body}, in order."""
    folder, found = Path(folder), {}
    for name in ["lecture.md"] + [n.removesuffix(".html") + ".md" for n in page_names(folder)[1:]]:
        source = folder / name
        meta, body, _ = parse_front_matter(source.read_text(encoding="utf-8"), source,
                                           LECTURE_SCHEMA if name == "lecture.md" else PART_SCHEMA)
        found[meta["title"]] = body
    return found


def html(site_folder, content_folder):
    """Every page of the built lecture, joined in reading order."""
    return "\n".join((Path(site_folder) / name).read_text(encoding="utf-8") for name in page_names(content_folder))
