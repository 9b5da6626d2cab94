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
        animation (e.g. ``anim.to_jshtml()``) is shown.
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
