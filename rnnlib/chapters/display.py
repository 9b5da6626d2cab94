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


# ---- the unrolled computational graph ---------------------------------------------------------

class Graph(NamedTuple):
    """The RNN unrolled over T steps, as data: where each node sits and what each edge carries."""

    nodes: dict   # name -> (x, y, TeX label); names "x_1", "h_0", "h_1", "o_1", "L_1", ...
    edges: list   # (source, target, TeX label of the weight on it, or "")


def unrolled_graph(T, losses=True):
    """Nodes and edges of the RNN unrolled over T steps (1-based t, as in the equations).

        x_t -> h_t  (W_xh),  h_{t-1} -> h_t  (W_hh),  h_t -> o_t  (W_hy),  o_t -> L_t

    Step t sits at x = t; inputs at y = 0, states at y = 1, outputs at y = 2, losses at y = 3.
    Every copy of a shared weight is on its own edge with the same label.
    """
    nodes = {"h_0": (0, 1, "$h_0$")}
    edges = []
    for t in range(1, T + 1):
        nodes.update({f"x_{t}": (t, 0, f"$x_{{{t}}}$"), f"h_{t}": (t, 1, f"$h_{{{t}}}$"),
                      f"o_{t}": (t, 2, f"$o_{{{t}}}$")})
        edges += [(f"x_{t}", f"h_{t}", "$W_{xh}$"), (f"h_{t - 1}", f"h_{t}", "$W_{hh}$"),
                  (f"h_{t}", f"o_{t}", "$W_{hy}$")]
        if losses:
            nodes[f"L_{t}"] = (t, 3, f"$L_{{{t}}}$")
            edges.append((f"o_{t}", f"L_{t}", ""))
    return Graph(nodes, edges)


def gradient_paths(T, k):
    """Every path along which a loss L_t reaches h_k (t = k..T), from the loss back to h_k.

    The path from L_t is L_t -> o_t -> h_t -> h_{t-1} -> ... -> h_k: one path per later loss,
    which is why dL/dh_k is a sum of T - k + 1 terms.
    """
    return [[f"L_{t}", f"o_{t}", *[f"h_{s}" for s in range(t, k - 1, -1)]] for t in range(k, T + 1)]


def draw_unrolled_graph(T, ax=None, *, values=None, paths=(), path_labels=None, losses=True,
                        edge_labels=True):
    """Draw the unrolled graph of :func:`unrolled_graph`, optionally with values and paths.

    Parameters
    ----------
    T : int, steps.
    ax : matplotlib Axes, optional; a new figure when omitted.
    values : dict, node name -> short text shown under the node (e.g. "0.336"), optional.
    paths : sequence of node-name lists (e.g. :func:`gradient_paths`), each drawn over the graph
        in its own colour, in the backward direction.
    path_labels : labels of ``paths`` for a legend, optional.
    losses : draw the loss nodes L_t.
    edge_labels : write the weight on every edge (W_xh, W_hh, W_hy).

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    graph = unrolled_graph(T, losses)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 1.5 * T, 3.6 if losses else 2.8),
                             layout="constrained")
    for source, target, label in graph.edges:
        (x0, y0, _), (x1, y1, _) = graph.nodes[source], graph.nodes[target]
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=15, shrinkB=15, color="0.35", lw=1.2))
        if edge_labels and label:
            dx, dy = (0.0, 0.13) if y0 == y1 else (0.09, 0.0)
            ax.text((x0 + x1) / 2 + dx, (y0 + y1) / 2 + dy, label, fontsize=8, color="0.3",
                    ha="center" if y0 == y1 else "left", va="center")
    for i, path in enumerate(paths):
        colour = f"C{(i + 1) % 10}"
        for a, b in zip(path, path[1:]):
            (x0, y0, _), (x1, y1, _) = graph.nodes[a], graph.nodes[b]
            offset = 0.06 * (i + 1)
            ax.add_patch(FancyArrowPatch((x0 + offset, y0 - offset / 2), (x1 + offset, y1 - offset / 2),
                                         arrowstyle="-|>", mutation_scale=11, shrinkA=14, shrinkB=14,
                                         color=colour, lw=2.0, alpha=0.85))
        if path_labels:
            ax.plot([], [], color=colour, lw=2, label=path_labels[i])
    for name, (x, y, label) in graph.nodes.items():
        kind = name[0]
        face = {"x": "#e8f0fe", "h": "#fff4d6", "o": "#e6f4ea", "L": "#fde7e7"}[kind]
        ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=3,
                bbox=dict(boxstyle="circle,pad=0.35", fc=face, ec="0.3", lw=1))
        if values and name in values:
            ax.text(x + 0.22, y - 0.22, values[name], ha="left", va="top", fontsize=8,
                    color="0.15", zorder=4)
    if path_labels:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.02), fontsize=8, frameon=False)
    top = 3 if losses else 2
    ax.set(xlim=(-0.5, T + 0.7), ylim=(-0.5, top + 0.5), aspect="equal")
    ax.axis("off")
    return ax.figure


def figure_html(fig, dpi=80):
    """A matplotlib figure as an HTML ``<img>`` with the PNG inline (for widget views), closed.

    The PNG is deterministic for a given figure (no timestamp in its metadata).
    """
    import base64
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def plot_panels(x, panels, xlabel, *, logx=False, logy=(), marks=(), figsize=None):
    """Several labelled curves per panel, all against one shared x (one panel per title).

    Parameters
    ----------
    x : (N,) array, the shared horizontal axis.
    panels : dict, panel title -> {curve label: (N,) array}.
    xlabel : str
    logx : bool, logarithmic x axis on every panel.
    logy : titles of the panels whose y axis is logarithmic.
    marks : sequence of (label, value), a dashed vertical line on every panel at each value.
    figsize : (width, height), optional; 3.4 inches per panel by 3 when omitted.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    figsize = figsize or (3.4 * len(panels), 3.0)
    fig, axes = plt.subplots(1, len(panels), figsize=figsize, layout="constrained")
    for ax, (title, curves) in zip(np.atleast_1d(axes), panels.items()):
        for label, ys in curves.items():
            ax.plot(x, ys, label=label)
        for i, (label, value) in enumerate(marks):
            ax.axvline(value, color=f"C{(i + 3) % 10}", ls="--", lw=1, label=label)
        ax.set(title=title, xlabel=xlabel, xscale="log" if logx else "linear",
               yscale="log" if title in logy else "linear")
        if len(curves) + len(marks) > 1:
            ax.legend(loc="best", fontsize=8)
    return fig
