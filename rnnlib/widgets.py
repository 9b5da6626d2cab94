"""Views of chapter 1's worked example: HTML tables, an ipywidgets control, figures, an animation.

The tables are pure functions of a trace (:func:`rnnlib.worked_example.trace_rnn`), so they are
tested without a browser. ipywidgets and matplotlib are imported inside the functions that need
them: ``import rnnlib`` itself needs only NumPy.
"""
import html

import numpy as np

from .worked_example import RNN_EXAMPLE, trace_rnn

# What each key of a trace means. Keys with a time step ("h_2") use STEP_MEANINGS, where
# {t} is that step, {p} the previous one and {n} the next; keys without one use MEANINGS.
MEANINGS = {
    "x": "input", "y": "target", "lr": "learning rate eta",
    "W_xh": "input-to-hidden weight", "W_hh": "hidden-to-hidden weight", "b_h": "hidden bias",
    "W_hy": "hidden-to-output weight", "b_y": "output bias",
    "a": "pre-activation x W_xh + b_h", "h": "hidden layer f(a)", "o": "output h W_hy + b_y",
    "L": "loss (summed over the steps of a sequence)", "do": "dL/do = o - y",
    "dh": "dL/dh = do W_hy", "da": "dL/da = dh f'(a)",
    "dW_xh": "dL/dW_xh", "dW_hh": "dL/dW_hh", "db_h": "dL/db_h", "dW_hy": "dL/dW_hy",
    "db_y": "dL/db_y",
}
STEP_MEANINGS = {
    "x": "input at step {t}", "y": "target at step {t}", "h": "hidden state h_{t}",
    "a": "pre-activation x_{t} W_xh + h_{p} W_hh + b_h", "o": "output h_{t} W_hy + b_y",
    "L": "loss 1/2 (o_{t} - y_{t})^2", "do": "dL/do_{t} = o_{t} - y_{t}",
    "dh_out": "dL/dh_{t} through the output: do_{t} W_hy",
    "dh_rec": "dL/dh_{t} through the next step: da_{n} W_hh (0 at the last step)",
    "dh": "dL/dh_{t} = dh_out_{t} + dh_rec_{t}", "da": "dL/da_{t} = dh_{t} f'(a_{t})",
    "dW_xh": "step {t}'s term of dL/dW_xh: x_{t} da_{t}",
    "dW_hh": "step {t}'s term of dL/dW_hh: h_{p} da_{t}",
    "db_h": "step {t}'s term of dL/db_h: da_{t}",
    "dW_hy": "step {t}'s term of dL/dW_hy: h_{t} do_{t}",
    "db_y": "step {t}'s term of dL/db_y: do_{t}",
}


def describe(key):
    """A short meaning of a trace key: ``describe("dh_rec_1")`` is 'dL/dh_1 through the next
    step: da_2 W_hh'; unknown keys give ''."""
    if key.endswith("_new"):
        return f"{key[:-4]} after one SGD step"
    stem, _, step = key.rpartition("_")
    if step.isdigit() and stem in STEP_MEANINGS:
        t = int(step)
        return STEP_MEANINGS[stem].format(t=t, p=t - 1, n=t + 1)
    return MEANINGS.get(key, "")


def _fmt(value, digits):
    return f"{value + 0.0:.{digits}f}"  # + 0.0 turns -0.0 into 0.0


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


def trace_table_html(trace, digits=4, columns=1):
    """Every entry of a trace as an HTML table: name, meaning, value with ``digits`` decimals.

    ``columns`` > 1 splits the rows into that many tables side by side (same order, read down
    each column), which keeps a long trace on one screen.
    """
    rows = [(key, describe(key), _fmt(value, digits)) for key, value in trace.items()]
    per = -(-len(rows) // columns)
    header, align = ("quantity", "meaning", "value"), ("left", "left", "right")
    tables = [html_table(header, rows[i:i + per], align) for i in range(0, len(rows), per)]
    if len(tables) == 1:
        return tables[0]
    cells = "".join(f'<div style="flex:1 1 0">{t}</div>' for t in tables)
    return f'<div style="display:flex;gap:1.5em;align-items:flex-start">{cells}</div>'


def comparison_table_html(rows, digits=5):
    """The rows of :func:`rnnlib.worked_example.compare_with_article` as an HTML table.

    Column *redone* is the right formula applied to the article's own earlier numbers.
    """
    def num(v):
        return "" if v is None else _fmt(v, digits)

    body = [(r["quantity"], r["article"] or "", num(r["correct"]), num(r["redone"]), r["verdict"],
             r["cause"]) for r in rows]
    header = ("quantity", "article", "correct", "redone", "verdict", "cause")
    return html_table(header, body, ("left", "right", "right", "right", "left", "left"))


def rnn_trace_widget(digits=4, columns=2, **example):
    """Sliders for x_1, x_2, W_xh and W_hh over a live table of :func:`trace_rnn`.

    The other inputs are those of the worked example unless given in ``example``. The callback
    only recomputes the trace and re-renders :func:`trace_table_html`.

    Returns
    -------
    ipywidgets.VBox : the sliders and an ``HTML`` widget holding the table.
    """
    import ipywidgets as widgets

    inputs = {**RNN_EXAMPLE, **example}
    style = {"description_width": "3em"}
    slider = dict(min=-2.0, max=2.0, step=0.05, readout_format=".2f", continuous_update=False,
                  style=style, layout=widgets.Layout(width="18em"))
    sliders = {
        "x_1": widgets.FloatSlider(value=inputs["x"][0], description="x_1", **slider),
        "x_2": widgets.FloatSlider(value=inputs["x"][1], description="x_2", **slider),
        "W_xh": widgets.FloatSlider(value=inputs["W_xh"], description="W_xh", **slider),
        "W_hh": widgets.FloatSlider(value=inputs["W_hh"], description="W_hh", **slider),
    }
    table = widgets.HTML()

    def update(_=None):
        current = {**inputs, "x": (sliders["x_1"].value, sliders["x_2"].value),
                   "W_xh": sliders["W_xh"].value, "W_hh": sliders["W_hh"].value}
        table.value = trace_table_html(trace_rnn(**current), digits, columns)

    for s in sliders.values():
        s.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox(list(sliders.values())[:2]),
                         widgets.HBox(list(sliders.values())[2:]), table])


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
