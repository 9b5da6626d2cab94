"""Display helpers shared by the chapters: HTML tables, figures, animations.

Pure functions where possible (an HTML table is a string, so it is tested without a browser).
matplotlib is imported inside the functions that draw, so importing this module needs only
NumPy; the core of rnnlib never imports it.
"""
import html

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
