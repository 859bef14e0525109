"""The one place where the look of every figure is set.

matplotlib is imported inside functions: a build whose figures are all
cached never pays for importing it.
"""
PAGE_WIDTH = 7.0         # inches; the page column shows figures at about this width
DPI = 110                # CSS pixels per inch: a figure's size on the page
DENSITY = 2              # image pixels per CSS pixel of the sharpest file (high-density screens)
COLUMN_PX = 736          # the page column in CSS pixels (46rem, --measure in templates/static/style.css):
                         # a figure wider than this is drawn to this width, as the page would shrink it
DARK_BACKGROUND = "#15171a"   # the dark scheme's --bg and --fg (style.css): dark figures sit on the page
DARK_FOREGROUND = "#e6e8eb"
PANEL_HEIGHT = 3.3
NARROW_WIDTH = 3.2       # inches: a figure's narrow variant, for a 390 px phone's 350 px column (pictures.NARROW)
CLASS_COLORS = ("#d95f02", "#1b9e77")   # class 0, class 1 (colour-blind safe pair)
CLASS_MARKERS = ("o", "^")
PATH_COLOR = "#c2185b"
MARK_COLORS = ("#e6ab02", "#7570b3", "#e7298a", "#66a61e")
CMAP = "viridis"


def mark_edge(colour):
    """The outline of a mark of this colour: its own hue at 40% of its value, which the dark scheme keeps.

    A black outline turns white where it lies on the dark page but stays black
    over a drawn surface (plotting.dark), so a mark straddling a 3-D surface's
    edge had an outline half black and half white. Hue keeps saturation: for
    every MARK_COLORS entry this one is above dark.COLOURED. A grey or white
    mark has no hue to keep: its outline is black.
    """
    from matplotlib.colors import to_hex, to_rgb
    rgb = to_rgb(colour)
    if max(rgb) - min(rgb) < 0.2:
        return "black"
    return to_hex(tuple(0.4 * c for c in rgb))

RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "legend.framealpha": 0.9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "image.cmap": CMAP,
    "svg.hashsalt": "lecturekit",
    # Unhinted glyphs: as legible at this DPI once anti-aliased, and a third
    # quicker to lay out, which matters with text on every GIF frame.
    "text.hinting": "no_hinting",
}


def apply():
    """Set the shared rcParams (idempotent)."""
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams.update(RC)


def new_figure(width=PAGE_WIDTH, height=PANEL_HEIGHT, margins=None):
    """A Figure with constrained layout, so labels and legends are never clipped.

    `margins` (left, bottom, right, top, wspace as figure fractions) fixes the
    layout instead: much faster, for series of figures that share one frame.
    """
    from matplotlib.figure import Figure
    apply()
    if margins is None:
        return Figure(figsize=(width, height), layout="constrained")
    fig = Figure(figsize=(width, height))
    left, bottom, right, top, wspace = margins
    fig.subplots_adjust(left=left, bottom=bottom, right=right, top=top, wspace=wspace)
    return fig


def panel_grid(narrow, shape, size, narrow_height, **gridspec):
    """(figure, places for its panels in reading order): a `shape` (rows, columns) grid across the page at
    `size` (inches), or for a phone (`narrow`, a figure function's narrow variant) the same panels one below
    the other, NARROW_WIDTH wide and `narrow_height` high, each as wide as the phone's column."""
    count = shape[0] * shape[1]
    if narrow:
        fig = new_figure(NARROW_WIDTH, narrow_height)
        layout = fig.add_gridspec(count, 1)
    else:
        fig = new_figure(*size)
        layout = fig.add_gridspec(*shape, **gridspec)
    return fig, [layout[i] for i in range(count)]


def one_panel(narrow, size, narrow_height):
    """(figure, axes) of one plot: `size` (inches) across the page, or for a phone (`narrow`, a figure
    function's narrow variant) NARROW_WIDTH wide and `narrow_height` high (see panel_grid)."""
    fig, (place,) = panel_grid(narrow, (1, 1), size, narrow_height)
    return fig, fig.add_subplot(place)


def place_legend(ax, narrow, narrow_ncols=1, handles=None, title=None, **legend):
    """The plot's legend: where `legend` (ax.legend's other arguments) puts it on the page, and under the
    plot in `narrow_ncols` columns, at the usual size, on a phone, where inside it would hide much of the
    small plot. `handles` and `title` are the legend's on either."""
    if narrow:
        labels = None if handles is None else [handle.get_label() for handle in handles]
        entries = ax.get_legend_handles_labels() if handles is None else (handles, labels)
        return ax.figure.legend(*entries, loc="outside lower center", ncols=narrow_ncols, title=title)
    return ax.legend(handles=handles, title=title, **legend)


def axes_inches(ax):
    """An axes' (width, height) in inches where its figure places it before the layout settles it: close
    enough to size marks by, before the figure is drawn."""
    box = ax.get_position()
    return box.width * ax.figure.get_figwidth(), box.height * ax.figure.get_figheight()


def two_panels(narrow, height, width_ratios=(1, 1), projection=None):
    """(figure, first axes, second axes): side by side across the page, or one above the other for a phone
    (see panel_grid). `projection` is the first panel's ("3d" for a surface beside its contour map)."""
    from matplotlib.ticker import MaxNLocator
    fig, (left, right) = panel_grid(narrow, (1, 2), (PAGE_WIDTH, height), 2 * height * 0.85,
                                    width_ratios=width_ratios)
    first = fig.add_subplot(left, projection=projection)
    if narrow and projection == "3d":  # a 3-D box's floor is short on a phone: five labels ran into each other
        first.xaxis.set_major_locator(MaxNLocator(4))
        first.yaxis.set_major_locator(MaxNLocator(4))
    return fig, first, fig.add_subplot(right)


def warm_up():
    """Draw one throwaway figure so fonts and the mathtext parser are loaded.

    Called once before the figure workers fork: they inherit the loaded
    caches (and 3-D axes and Pillow's writers) instead of each paying for
    them on its first figure.
    """
    import io

    import mpl_toolkits.mplot3d  # noqa: F401  (registers the 3-D projection)
    from PIL import GifImagePlugin, PngImagePlugin  # noqa: F401
    fig = new_figure(2, 1)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="$w_1$")
    ax.set(xlabel="$w$", ylabel=r"$\sigma(w x)$")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png", dpi=50)
