"""Page templates: the only variables a template sees are declared here."""
from dataclasses import dataclass


@dataclass(frozen=True)
class LectureLink:
    """What a page needs to link to a lecture."""
    title: str
    number: int
    summary: str
    href: str       # URL relative to the site root (templates prefix page.root)
    thumbnail: str  # URL of a figure relative to the site root, or ""
    thumbnail_alt: str


@dataclass(frozen=True)
class LecturePage:
    """Context of `lecture.html`."""
    course_title: str
    root: str          # relative URL of the site root ("../")
    title: str
    number: int
    summary: str
    body: str          # rendered HTML
    toc: list          # Python-Markdown toc tokens
    previous: object   # LectureLink or None
    next: object       # LectureLink or None
    results_href: str


@dataclass(frozen=True)
class HomePage:
    """Context of `home.html`."""
    course_title: str
    root: str
    intro: str         # rendered HTML
    lectures: list     # LectureLink


def template_environment(folder):
    """Jinja for HTML: autoescaped, and an unknown variable is an error."""
    import jinja2  # here, not at the top: a build whose pages are all cached never needs it
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_page(env, template, page):
    """Render one page dataclass through its template."""
    return env.get_template(template).render(page=page)
