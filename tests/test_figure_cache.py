"""The 2x and dark files of a figure through the cache: published with the page, redrawn with their code."""
import re

import pytest
from PIL import Image

import build
from lecturekit.engine.errors import BuildError
from lecturekit.plotting.style import DENSITY, DPI
from tiny_lecture import FIGURES, LECTURE, build_args, write_lecture

TWO_FIGURES = FIGURES + '''

@figure
def flat(squares):
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    ax.plot(squares["w"], 0 * squares["w"], color="C2")
    return fig
'''
LECTURE_TWO = LECTURE + '''
![A flat line at zero.](fig:flat "Flat.")
'''
ROLES = ("", "@2x", ".dark", ".dark@2x")


def files_of(tmp_path, name):
    folder = tmp_path / "site" / "tiny" / "figures"
    return {suffix: (folder / f"{name}{suffix}.png").read_bytes() for suffix in ROLES}


def test_each_scheme_and_density_is_published_and_offered(tmp_path):
    write_lecture(tmp_path, lecture=LECTURE_TWO, figures=TWO_FIGURES)
    build.build(**build_args(tmp_path))
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    for name in ("parabola", "flat"):
        files = files_of(tmp_path, name)
        assert len(set(files.values())) == 4, "four different files"
        for suffix in ROLES:
            assert f"figures/{name}{suffix}.png " in page, f"{name}{suffix} is in a srcset"
    assert re.search(r'<source media="screen and \(prefers-color-scheme: dark\)" '
                     r'sizes="[^"]+" srcset="figures/parabola\.dark\.png \d+w, figures/parabola\.dark@2x\.png', page)


def test_a_figure_code_edit_redraws_its_dark_and_2x_files_and_nothing_else(tmp_path):
    write_lecture(tmp_path, lecture=LECTURE_TWO, figures=TWO_FIGURES)
    build.build(**build_args(tmp_path))
    before = {name: files_of(tmp_path, name) for name in ("parabola", "flat")}

    again = build.build(**build_args(tmp_path))
    assert again["rendered"] == 0
    assert {name: files_of(tmp_path, name) for name in before} == before, "reused, byte for byte"

    write_lecture(tmp_path, lecture=LECTURE_TWO, figures=TWO_FIGURES.replace('label="f")', 'label="f", color="C3")'))
    edited = build.build(**build_args(tmp_path))
    assert edited["rendered"] == 1, "only the edited figure is drawn"
    after = {name: files_of(tmp_path, name) for name in before}
    assert after["flat"] == before["flat"]
    for suffix in ROLES:
        assert after["parabola"][suffix] != before["parabola"][suffix], f"parabola{suffix}.png was not redrawn"


NARROW_FIGURES = FIGURES + '''

@figure
def pair(squares, narrow):
    fig = new_figure(*((3, 4) if narrow else (6, 2)))
    axes = fig.subplots(*((2, 1) if narrow else (1, 2)))
    for ax in axes:
        ax.plot(squares["w"], squares["f"])
    return fig
'''
LECTURE_PAIR = LECTURE + '''
![Two panels.](fig:pair "A pair.")
'''


def test_a_figure_with_a_narrow_parameter_is_drawn_again_for_phones(tmp_path):
    write_lecture(tmp_path, lecture=LECTURE_PAIR, figures=NARROW_FIGURES)
    build.build(**build_args(tmp_path))
    folder = tmp_path / "site" / "tiny" / "figures"
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    for suffix in ROLES:
        assert (folder / f"pair-narrow{suffix}.png").read_bytes() != (folder / f"pair{suffix}.png").read_bytes()
        assert f"figures/pair-narrow{suffix}.png " in page
    assert not list(folder.glob("parabola-narrow*")), "a figure without the parameter has no narrow files"
    narrow = re.search(r'<source height="(\d+)" media="screen and \(max-width: 36rem\)"[^>]* width="(\d+)">', page)
    assert (int(narrow.group(2)), int(narrow.group(1))) == (3 * DPI, 4 * DPI), "its own size: 3 x 4 inches"
    again = build.build(**build_args(tmp_path))
    assert again["rendered"] == 0 and (folder / "pair-narrow@2x.png").exists(), "both variants come from the cache"


MOVING_FIGURES = FIGURES + '''

@figure
def walk(squares, narrow):
    import numpy as np
    from lecturekit.plotting.animate import PathAnimation
    fig = new_figure(*((3, 3) if narrow else (6, 2.5)))
    ax = fig.add_subplot()
    ax.plot(squares["w"], squares["f"], color="C0")
    points = squares["w"][::8]
    return PathAnimation(fig, ax, np.column_stack([points, (points - 0.73) ** 2]), (points - 0.73) ** 2)
'''
LECTURE_WALK = LECTURE + '''
![A walk down the parabola.](fig:walk "A walk.")
'''


def test_an_animation_with_a_narrow_parameter_has_a_narrow_animation_and_its_own_still(tmp_path):
    write_lecture(tmp_path, lecture=LECTURE_WALK, figures=MOVING_FIGURES)
    build.build(**build_args(tmp_path))
    folder = tmp_path / "site" / "tiny" / "figures"
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    names = ["walk-narrow.gif", "walk-narrow.dark.gif", "walk-narrowposter.png", "walk-narrowposter.dark.png"]
    for name in names:
        wide = name.replace("-narrow", "").replace("walkposter", "walk-poster")
        assert (folder / name).read_bytes() != (folder / wide).read_bytes(), f"{name} is drawn for phones"
    sources = [(media, url) for media, url in re.findall(r'<source [^>]*media="([^"]+)"[^>]* srcset="([^" ]+)', page)
               if "/walk" in url and "-poster" not in url or "narrowposter" in url]
    narrow = [(media, url) for media, url in sources if "max-width" in media]
    assert narrow == [
        ("screen and (max-width: 36rem) and (prefers-color-scheme: dark) and (prefers-reduced-motion: reduce)",
         "figures/walk-narrowposter.dark.png"),
        ("screen and (max-width: 36rem) and (prefers-reduced-motion: reduce)", "figures/walk-narrowposter.png"),
        ("screen and (max-width: 36rem) and (prefers-color-scheme: dark)", "figures/walk-narrow.dark.gif"),
        ("screen and (max-width: 36rem)", "figures/walk-narrow.gif")], "a phone's sources come first"
    assert sources[:4] == narrow and len(sources) == 5, "before the wide animation's (its dark one)"
    size = re.search(r'<source height="(\d+)" media="screen and \(max-width: 36rem\)"[^>]* width="(\d+)">', page)
    with Image.open(folder / "walk-narrow.gif") as drawn:
        assert drawn.width == drawn.height > 0, "3 x 3 inches"
        assert (int(size.group(2)), int(size.group(1))) == (drawn.width // DENSITY, drawn.height // DENSITY), \
            "its own size on the page, drawn at 2x as all of an animation's files are"


def test_a_narrow_variant_is_of_its_figures_kind_and_a_figure_drawn_together_has_none(tmp_path):
    moving = NARROW_FIGURES.replace("def pair(squares, narrow):\n", '''def pair(squares, narrow):
    if narrow:
        return type("Odd", (), {"figure_files": lambda self: ({"poster": (".svg", b"<svg/>")}, 1, 1)})()
''')
    write_lecture(tmp_path, lecture=LECTURE_PAIR, figures=moving)
    with pytest.raises(BuildError, match="the figure is a still, its narrow variant an animation"):
        build.build(**build_args(tmp_path))
    still = MOVING_FIGURES.replace("    points = ", "    if narrow:\n        return fig\n    points = ")
    write_lecture(tmp_path, lecture=LECTURE_WALK, figures=still)
    with pytest.raises(BuildError, match="the figure is an animation, its narrow variant a still"):
        build.build(**build_args(tmp_path))
    together = NARROW_FIGURES.replace("@figure\ndef pair", "@figure(together=True)\ndef pair")
    write_lecture(tmp_path, lecture=LECTURE_PAIR, figures=together)
    with pytest.raises(BuildError, match="no narrow variant"):
        build.build(**build_args(tmp_path))


@pytest.mark.parametrize("taken", ["pair-narrow", "pair-narrowposter", "pair-poster", "parabola-poster"])
def test_no_figure_is_named_as_another_figures_narrow_or_still_files(tmp_path, taken):
    clash = NARROW_FIGURES + f'''

@figure(name="{taken}")
def other(squares):
    return new_figure(2, 2)
'''
    write_lecture(tmp_path, lecture=LECTURE_PAIR, figures=clash)
    with pytest.raises(BuildError, match=f"two figures are named '{taken}'"):
        build.build(**build_args(tmp_path))
