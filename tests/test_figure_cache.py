"""The 2x and dark files of a figure through the cache: published with the page, redrawn with their code."""
import re

import build
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
