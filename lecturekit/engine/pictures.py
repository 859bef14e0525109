"""A figure's files as a <picture>: the light or dark scheme's, at the density the screen needs.

A figure's manifest names its files by role (see lecturekit/plotting/output.py):
"file" or "poster", then ".dark" for the dark scheme, then "@2x" for a denser
one; "pixels" gives each file's size and "width"/"height" the figure's size on
the page in CSS pixels. Each scheme's files become one `srcset` with width
descriptors, and `sizes` says how wide the page shows the figure, so the
browser fetches the smallest file with enough pixels: a phone the 1x file, a
high-density laptop the 2x one, and only the scheme it shows. Print is light
(the dark sources apply on screens only). A figure drawn also for phones has
"narrow" files too, shown on narrow screens (NARROW) in either scheme; an animation's narrow
variant has its own still ("narrowposter").
"""
import re

DARK_SCHEME = "(prefers-color-scheme: dark)"
DARK = f"screen and {DARK_SCHEME}"
REDUCED_MOTION = "(prefers-reduced-motion: reduce)"
# A screen this narrow (a phone held upright) shows a figure's narrow variant where it has one.
NARROW = "screen and (max-width: 36rem)"
# How wide the page shows a figure that is `w` CSS pixels wide (templates/static/style.css: below the
# 60rem breakpoint one column with 1.25rem padding each side; above it the 15rem contents, a 2.5rem gap
# and the padding beside a column of at most --measure, 46rem).
SIZES = "(max-width: 60rem) min({w}px, 100vw - 2.5rem), min({w}px, 46rem, 100vw - 20rem)"
_ROLE = re.compile(r"(?P<base>[a-z]+)(?P<dark>\.dark)?(?:@(?P<density>\d+)x)?")


def role_base(role):
    """"file" or "poster" (what a file is), from a role such as "file.dark@2x"."""
    return _ROLE.fullmatch(role).group("base")


def roles_of(manifest, base, dark=False):
    """The roles of one kind and scheme, smallest file first."""
    roles = [role for role in manifest["files"]
             if (m := _ROLE.fullmatch(role)) and m.group("base") == base and bool(m.group("dark")) == dark]
    return sorted(roles, key=lambda role: pixel_width(manifest, role))


def pixel_width(manifest, role):
    """A file's width in pixels (a manifest without sizes holds 1x files)."""
    return manifest.get("pixels", {}).get(role, [manifest["width"]])[0]


def narrow_size(manifest, role):
    """A narrow variant's size on the page in CSS pixels: its file's, at the density of the figure's smallest file
    (1x for a still, 2x for an animation: the narrow variant was drawn as its figure was)."""
    density = pixel_width(manifest, roles_of(manifest, "file")[0]) / manifest["width"]
    width, height = manifest["pixels"][role]
    return round(width / density), round(height / density)


def srcset(name, manifest, url_for, roles):
    return ", ".join(f"{url_for(name, role)} {pixel_width(manifest, role)}w" for role in roles)


def add_picture(parent, name, manifest, url_for, base, image_attrs, still=None, picture_attrs=None, dark=True):
    """Append a <picture> of one kind of file ("file" or "poster") to `parent`: its dark source, then its light <img>.

    `still`: the kind shown instead to a reader who prefers reduced motion (an animation's "poster").
    `dark`: whether the dark scheme's files are offered (not for a picture only print shows).
    """
    import xml.etree.ElementTree as etree
    sizes = SIZES.format(w=manifest["width"])
    picture = etree.SubElement(parent, "picture", picture_attrs or {})
    sources = []  # (media, kind, dark scheme): the first whose media matches is shown
    if base == "file":  # a phone shows a figure's narrow variant where it has one (and that variant's still)
        if still:
            sources += [(f"{NARROW} and {DARK_SCHEME} and {REDUCED_MOTION}", "narrow" + still, True),
                        (f"{NARROW} and {REDUCED_MOTION}", "narrow" + still, False)]
        sources += [(f"{NARROW} and {DARK_SCHEME}", "narrow", True), (NARROW, "narrow", False)]
    if still:
        sources += [(f"{DARK} and {REDUCED_MOTION}", still, True), (REDUCED_MOTION, still, False)]
    sources += [(DARK, base, True)]
    for media, kind, dark_scheme in sources:
        roles = roles_of(manifest, kind, dark_scheme)
        if roles and (dark or not dark_scheme):
            attributes = {"media": media, "srcset": srcset(name, manifest, url_for, roles), "sizes": sizes}
            if kind.startswith("narrow"):  # its own size on the page, so the browser keeps its aspect ratio
                width, height = narrow_size(manifest, roles[0])
                attributes.update(sizes=SIZES.format(w=width), width=str(width), height=str(height))
            etree.SubElement(picture, "source", attributes)
    etree.SubElement(picture, "img", {"src": url_for(name, base), "sizes": sizes,
                                      "srcset": srcset(name, manifest, url_for, roles_of(manifest, base)),
                                      **image_attrs})
    return picture


# An <img> tag in an author's raw HTML, quoted attribute values kept whole (an alt may hold ">").
_IMAGE_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_FIGURE_FILE = re.compile(r"figures/([\w-]+)\.(?:png|gif)")


def raw_figure_pictures(html, manifests, url_for):
    """`html` with each raw <img src="figures/<name>.png"> of a figure made that figure's <picture>.

    An author's own HTML (an explorer's strip of runs) names a figure's light file; the reader gets
    what a Markdown figure gives: the dark scheme's file in the dark, the denser one on a dense
    screen. Another address under figures/ that no figure's file has raises KeyError with the
    address: it would be a broken image.
    """
    import html as entities
    import xml.etree.ElementTree as etree

    from markdown.serializers import to_html_string

    def picture(match):
        attributes = {name.lower(): entities.unescape(value[1:-1] if value[:1] in "\"'" else value)
                      for name, value in _ATTRIBUTE.findall(match.group(0)[len("<img"):-1])}
        src = attributes.get("src", "")
        address = _FIGURE_FILE.fullmatch(src)
        if address is None or address.group(1) not in manifests:
            if src.startswith("figures/") and src not in {url_for(name, role) for name in manifests
                                                          for role in manifests[name]["files"]}:
                raise KeyError(src)
            return match.group(0)
        name = address.group(1)
        manifest, holder = manifests[name], etree.Element("div")
        attributes.pop("src")
        still = "poster" if "poster" in manifest["files"] else None
        add_picture(holder, name, manifest, url_for, "file", attributes, still=still)
        return to_html_string(holder[0])
    return _IMAGE_TAG.sub(picture, html)
