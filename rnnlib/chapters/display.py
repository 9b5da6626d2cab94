"""Display helpers shared by the chapters: HTML tables, figures, animations.

Pure functions where possible (an HTML table is a string, so it is tested without a browser).
matplotlib is imported inside the functions that draw, so importing this module needs only
NumPy; the core of rnnlib never imports it.
"""
import html
from typing import NamedTuple

import numpy as np


def format_number(value, digits):
    """``value`` with ``digits`` decimals; -0.0 prints as 0.0."""
    return f"{value + 0.0:.{digits}f}"


def html_table(header, rows, align=None):
    """A plain HTML table; every cell is escaped text. ``align`` gives each column's alignment."""
    align = align or ["left"] * len(header)
    pad = "padding:0.15em 0.5em"
    head = "".join(f'<th style="text-align:{a};{pad}">{html.escape(h)}</th>'
                   for h, a in zip(header, align))
    body = "".join(
        "<tr>" + "".join(f'<td style="text-align:{a};{pad}">{html.escape(str(c))}</td>'
                         for c, a in zip(row, align)) + "</tr>"
        for row in rows
    )
    return (f'<table class="rnn-trace" style="font-size:0.9em"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


class Slider(NamedTuple):
    """One slider of :func:`interactive`: its start value, range and step (all ints: IntSlider)."""

    value: float
    low: float
    high: float
    step: float


def interactive(view, sliders, per_row=2):
    """Sliders over a live HTML view: the widget pattern of every chapter.

    The widget shows ``view(**values)``, where ``values`` maps each slider's name to its value,
    and nothing else: every move re-renders that HTML. So the lesson lives in ``view``, a pure
    function tested without a browser, and the widget is a thin shell around it. The live test
    (tests/test_live_lab.py) moves a slider in JupyterLab and compares the output with ``view``.

    Parameters
    ----------
    view : callable, ``view(**values) -> str`` of HTML.
    sliders : dict, name -> :class:`Slider`; the name is the slider's label and ``view``'s
        keyword.
    per_row : int, sliders per row.

    Returns
    -------
    ipywidgets.VBox : rows of sliders, then an ``HTML`` widget (CSS class ``rnn-live-view``).
    """
    import ipywidgets as widgets

    controls = {}
    for name, (value, low, high, step) in sliders.items():
        integer = all(isinstance(v, (int, np.integer)) for v in (value, low, high, step))
        make = widgets.IntSlider if integer else widgets.FloatSlider
        extra = {} if integer else {"readout_format": f".{_decimals_of(step)}f"}
        controls[name] = make(value=value, min=low, max=high, step=step, description=name,
                              continuous_update=False, style={"description_width": "3em"},
                              layout=widgets.Layout(width="18em"), **extra)
    output = widgets.HTML()
    output.add_class("rnn-live-view")

    def update(_=None):
        output.value = view(**{name: c.value for name, c in controls.items()})

    for control in controls.values():
        control.observe(update, names="value")
    update()
    boxes = list(controls.values())
    rows = [widgets.HBox(boxes[i:i + per_row]) for i in range(0, len(boxes), per_row)]
    return widgets.VBox([*rows, output])


def _decimals_of(step):
    """Decimals needed to show multiples of ``step``: 0.05 -> 2, 0.5 -> 1, 1.0 -> 0."""
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def plot_sweep(values, curves, xlabel, mark=None, figsize=(7, 3)):
    """Curves against one swept input, one panel per curve, with an optional vertical mark.

    Parameters
    ----------
    values : (N,) array, the swept input.
    curves : dict, panel title -> (N,) array.
    xlabel : str
    mark : (label, value), optional, e.g. ``("article", 0.3)``.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curves), figsize=figsize, layout="constrained")
    for ax, (title, ys) in zip(np.atleast_1d(axes), curves.items()):
        ax.plot(values, ys)
        ax.axhline(0, color="0.7", lw=0.8)
        if mark is not None:
            ax.axvline(mark[1], color="C3", ls="--", lw=1, label=mark[0])
            ax.legend(loc="best", fontsize=8)
        ax.set(title=title, xlabel=xlabel)
    return fig


def sgd_animation(losses, predictions, targets, frames=None, dpi=70, figsize=(6, 3)):
    """Animate SGD: predictions o_t approaching the targets (left) and the loss falling (right).

    Parameters
    ----------
    losses : (S,) array, the loss before each step (and after the last).
    predictions : (S, T) array, o_1..o_T at each of them.
    targets : (T,) array.
    frames : sequence of step indices to draw, optional; every step when omitted. Fewer frames
        keep an embedded (``to_jshtml``) animation light.

    Returns
    -------
    anim : matplotlib.animation.FuncAnimation; its figure is closed so that only the
        animation (e.g. :func:`animation_html`, a player that works offline) is shown.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    steps, T = np.arange(len(losses)), np.arange(1, predictions.shape[1] + 1)
    fig, (ax_o, ax_L) = plt.subplots(1, 2, figsize=figsize, dpi=dpi, layout="constrained")
    ax_o.plot(T, targets, "k_", ms=30, mew=2, label="target $y_t$")
    (pred,) = ax_o.plot(T, predictions[0], "o", color="C0", label="prediction $o_t$")
    low, high = min(predictions.min(), targets.min()), max(predictions.max(), targets.max())
    ax_o.set(xticks=T, xlim=(0.5, T[-1] + 0.5), xlabel="time step $t$",
             ylim=(low - 0.25 * (high - low) - 0.05, high + 0.05))  # room for the legend
    ax_o.legend(loc="lower right", fontsize=8)
    ax_L.semilogy(steps, losses, color="0.8")
    (curve,) = ax_L.semilogy(steps[:1], losses[:1], color="C0")
    ax_L.set(xlabel="SGD step", title="loss $L$")
    title = ax_o.set_title("step 0")

    def draw(k):
        pred.set_ydata(predictions[k])
        curve.set_data(steps[:k + 1], losses[:k + 1])
        title.set_text(f"step {k}")
        return pred, curve, title

    frames = list(range(len(losses)) if frames is None else frames)
    anim = FuncAnimation(fig, draw, frames=frames, interval=250, blit=False)
    plt.close(fig)
    return anim


# The animation player's buttons as inline SVG (16 x 16, drawn in the text colour), keyed by the
# Font Awesome 4 classes of matplotlib's player template. Drawn here, the buttons need no icon
# font, so they show wherever the output is shown: JupyterLab offline, Colab, the built book.
_PLAYER_ICONS = {
    "fa-minus": '<rect x="2" y="7" width="12" height="2"/>',
    "fa-plus": '<rect x="2" y="7" width="12" height="2"/><rect x="7" y="2" width="2" height="12"/>',
    "fa-play": '<path d="M4 2 13 8 4 14z"/>',
    "fa-play fa-flip-horizontal": '<path d="M12 2 3 8 12 14z"/>',
    "fa-pause": '<rect x="3" y="2" width="3.5" height="12"/><rect x="9.5" y="2" width="3.5" '
                'height="12"/>',
    "fa-step-forward": '<path d="M3 2 11 8 3 14z"/><rect x="11" y="2" width="2" height="12"/>',
    "fa-step-backward": '<rect x="3" y="2" width="2" height="12"/><path d="M13 2 5 8 13 14z"/>',
    "fa-fast-forward": '<path d="M1 2 7 8 1 14zM7 2 13 8 7 14z"/>'
                       '<rect x="13" y="2" width="2" height="12"/>',
    "fa-fast-backward": '<rect x="1" y="2" width="2" height="12"/>'
                        '<path d="M9 2 3 8 9 14zM15 2 9 8 15 14z"/>',
}


def animation_html(anim, default_mode="once", fps=None):
    """An animation as a self-contained HTML player: ``anim.to_jshtml()`` without its icon CDN.

    matplotlib's player links Font Awesome 4 from a CDN for its nine button icons, so offline
    (JupyterLab without network, the built book read from disk) its buttons are blank. This
    returns the same player with that link removed and each icon drawn as inline SVG; frames
    stay embedded as in ``to_jshtml``, and the first one is also the image's initial source, so
    it shows even where the player's script does not run. Show it with ``IPython.display.HTML``.

    Parameters
    ----------
    anim : matplotlib.animation.Animation, e.g. from :func:`sgd_animation`.
    default_mode : {"once", "loop", "reflect"}, what the player does at the last frame.
    fps : positive real number, optional; frames per second (default: the animation's interval).

    Returns
    -------
    str : HTML (player markup and its script) that fetches nothing. As with ``to_jshtml``, the
    frames are rendered once per animation and reused by later calls.
    """
    import re

    from matplotlib.animation import Animation

    from .._validate import choice, real_number

    if not isinstance(anim, Animation):
        raise TypeError(f"anim must be a matplotlib.animation.Animation (e.g. from "
                        f"sgd_animation), got {type(anim).__name__}")
    choice("default_mode", default_mode, {"once", "loop", "reflect"})
    if fps is not None:
        fps = real_number("fps", fps, low=0, low_open=True)
    player = anim.to_jshtml(fps=fps, default_mode=default_mode)
    player = re.sub(r"<link\b[^>]*font-awesome[^>]*>\s*", "", player)

    def svg(match):
        icon = _PLAYER_ICONS.get(match.group(1))
        if icon is None:
            raise RuntimeError(f"matplotlib's player uses the icon {match.group(1)!r}, which "
                               "animation_html does not draw: add it to _PLAYER_ICONS")
        return ('<svg viewBox="0 0 16 16" width="1em" height="1em" fill="currentColor" '
                f'aria-hidden="true" focusable="false">{icon}</svg>')

    player = re.sub(r'<i class="fa ((?:fa-[\w-]+ ?)+)"></i>', svg, player)
    # The first frame in the markup too, not only set by the script: a notebook opened untrusted
    # (scripts off) shows it, and JupyterLab lays the image out even when the script runs while
    # the cell is off screen (it showed no image in that case).
    first = re.search(r'frames\[0\] = "(data:image/[\w+]+;base64,[\w+/=\\\n]+)"', player)
    if first is None:
        raise RuntimeError("matplotlib's player template changed: no embedded first frame found")
    source = first.group(1).replace("\\\n", "")  # the script's string continues lines with \
    player = re.sub(r'<img id="(_anim_img\w+)">',
                    lambda m: f'<img id="{m.group(1)}" src="{source}">', player, count=1)
    if re.search(r"font-awesome|class=\"fa\b", player):
        raise RuntimeError("matplotlib's player template changed: a Font Awesome link or icon "
                           "is left that animation_html does not replace")
    return player
