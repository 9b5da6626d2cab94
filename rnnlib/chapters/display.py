"""Display helpers shared by the chapters: HTML tables, figures, animations, the widget pattern.

Pure functions where possible (an HTML table is a string, so it is tested without a browser).
matplotlib is imported inside the functions that draw, so importing this module needs only
NumPy; the core of rnnlib never imports it.

Outputs that read differently on screen and on paper mark their parts with two CSS classes,
defined in the book's stylesheet (book/_ext/static/rnn-book.css): ``rnn-screen-only`` (the
sliders of a widget, an animation's player: hidden in print) and ``rnn-print-only`` (a widget's
start values and the link to the live notebook, an animation's strip of frames: hidden on
screen, also by an inline ``display:none`` so that they stay hidden where the stylesheet is
absent, e.g. an nbconvert export).
"""
import functools
import html
import itertools
import json
import math
import re
from typing import NamedTuple

import numpy as np

from .._validate import (Dims, _describe, _short, choice, flag, function, integer, integer_array,
                         params_dict, real_number, text)

ALIGNMENTS = ("left", "center", "right")


def format_number(value, digits):
    """``value`` (a real number; NaN and inf print as nan and inf) with ``digits`` >= 0 decimals;
    -0.0 prints as 0.0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"value must be a real number, got {_describe(value)}")
    digits = integer("digits", digits, low=0)
    return f"{value + 0.0:.{digits}f}"


def show(**values):
    """Print numbers held in one-entry arrays on one line, ``name = value`` with 4 decimals.

    The chapters' one-unit examples print their (1, 1) arrays with it:
    ``show(h=h, o=o)`` prints ``h = 0.3000   o = 0.3800``.

    Parameters
    ----------
    **values : each a number or an array with exactly one entry (any shape: (1, 1), (1,), ()).
    """
    numbers = {}
    for name, value in values.items():
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real number or an array holding exactly one, got "
                             f"{_describe(value)}") from None
        if array.size != 1 or array.dtype.kind not in "iuf":
            raise ValueError(f"{name} must be a real number or an array holding exactly one, got "
                             f"{'dtype ' + str(array.dtype) if array.size == 1 else 'shape ' + str(array.shape)}")
        numbers[name] = float(array.item())
    print("   ".join(f"{name} = {format_number(v, 4)}" for name, v in numbers.items()))


def html_table(header, rows, align=None):
    """A plain HTML table; every cell is escaped text. ``align`` gives each column's alignment.

    Parameters
    ----------
    header : list or tuple of C >= 1 str, the column titles.
    rows : list or tuple of rows, each a list or tuple of C cells (any values, shown as str).
    align : list or tuple of C of "left", "center", "right"; all "left" when omitted.

    Returns
    -------
    html : str
    """
    _sequence("header", header)
    if not header:
        raise ValueError("header must name at least one column, got an empty sequence")
    for i, title in enumerate(header):
        text(f"header[{i}]", title)
    _sequence("rows", rows)
    for i, row in enumerate(rows):
        _sequence(f"rows[{i}]", row, len(header), "one per column of header")
    if align is not None:
        _sequence("align", align, len(header), "one per column of header")
        for i, a in enumerate(align):
            choice(f"align[{i}]", a, ALIGNMENTS)
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


def _sequence(name, value, length=None, per=""):
    """Raise unless ``value`` is a list or tuple, of ``length`` entries when given (``per`` says
    what they match, e.g. "one per column of header")."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple, got {_describe(value)}")
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must have {length} entries, {per}, got {len(value)}")


def _figsize(name, value):
    """``value`` checked: a (width, height) pair of positive numbers, in inches."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise TypeError(f"{name} must be a (width, height) pair in inches, got {_describe(value)}")
    return tuple(real_number(f"{name}[{i}]", v, low=0, low_open=True) for i, v in enumerate(value))


class Slider(NamedTuple):
    """One slider of :func:`interactive`: its start value, range and step (all ints: IntSlider)."""

    value: float
    low: float
    high: float
    step: float


# A widget with several sliders stores the view for every combination of their values when there
# are at most this many; otherwise for each slider moved alone from the others' start values.
GRID_LIMIT = 200


def interactive(view, sliders, per_row=2):
    """Sliders over a live HTML view: the widget pattern of every chapter.

    The widget shows ``view(**values)``, where ``values`` maps each slider's name to its value,
    and nothing else: every move re-renders that HTML. So the lesson lives in ``view``, a pure
    function tested without a browser, and the widget is a thin shell around it. The live test
    (tests/test_live_lab.py) moves a slider in JupyterLab and compares the output with ``view``.

    Displayed, the widget's output carries three forms: the live ipywidget (JupyterLab, Colab:
    Python recomputes the view on every move); an HTML version that moves without a kernel (the
    built book), holding the view's output for every value the sliders reach, computed when the
    widget is displayed (see :func:`_static_widget_html`); and a sentence as plain text.

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
    function("view", view)
    params_dict(sliders, (), "sliders", "a dict, name -> Slider")
    if not sliders:
        raise ValueError("sliders must hold at least one slider, got an empty dict")
    for name, slider in sliders.items():
        if not (isinstance(name, str) and name.isidentifier()):
            raise TypeError(f"sliders must be keyed by view's keyword names, got the key {name!r}")
        label = f"sliders[{name!r}]"
        if not (isinstance(slider, tuple) and len(slider) == 4):
            raise TypeError(f"{label} must be a Slider(value, low, high, step), got "
                            f"{_describe(slider)}")
        value, low, high, step = (real_number(f"{label}.{field}", v)
                                  for field, v in zip(Slider._fields, slider))
        if not low <= value <= high or step <= 0:
            raise ValueError(f"{label} must have low <= value <= high and step > 0, got {slider}")
    per_row = integer("per_row", per_row, low=1)
    import ipywidgets as widgets

    controls = {}
    for name, (value, low, high, step) in sliders.items():
        ints = _all_ints(value, low, high, step)
        make = widgets.IntSlider if ints else widgets.FloatSlider
        extra = {} if ints else {"readout_format": f".{_decimals_of(step)}f"}
        controls[name] = make(value=value, min=low, max=high, step=step, description=name,
                              continuous_update=False, style={"description_width": "3em"},
                              layout=widgets.Layout(width="18em"), **extra)
    output = widgets.HTML()
    output.add_class("rnn-live-view")

    def update(_=None):
        output.value = _view_html(view, {name: c.value for name, c in controls.items()})

    for control in controls.values():
        control.observe(update, names="value")
    update()
    boxes = list(controls.values())
    rows = [widgets.HBox(boxes[i:i + per_row]) for i in range(0, len(boxes), per_row)]
    box = _interactive_box_class()([*rows, output])
    box._rnn_view, box._rnn_sliders = view, dict(sliders)
    return box


@functools.cache
def _interactive_box_class():
    """The VBox that :func:`interactive` returns; made on first use, so that importing this
    module does not import ipywidgets."""
    import ipywidgets as widgets

    class InteractiveBox(widgets.VBox):
        """A VBox whose display adds the static version (text/html) and a sentence (text/plain)."""

        _rnn_view = _rnn_sliders = _rnn_static = None

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            if bundle is None or self._rnn_view is None:
                return bundle
            if self._rnn_static is None:  # the sliders' start values: the same on every display
                self._rnn_static = _static_widget_html(self._rnn_view, self._rnn_sliders)
            bundle["text/html"] = self._rnn_static
            bundle["text/plain"] = _plain_sentence(self._rnn_view, self._rnn_sliders)
            return bundle

    return InteractiveBox


def _view_html(view, values):
    """``view(**values)``, checked to be a str."""
    html_text = view(**values)
    if not isinstance(html_text, str):
        raise TypeError(f"view must return a str of HTML, got {_describe(html_text)}")
    return html_text


def _all_ints(*numbers):
    return all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
               for v in numbers)


def _view_name(view):
    return f"{getattr(view, '__module__', '?')}:{getattr(view, '__qualname__', repr(view))}"


def _plain_sentence(view, sliders):
    """The text/plain form of a widget: what it is and where it moves (never a VBox repr)."""
    names = ", ".join(sliders)
    what, them = ("A slider", "it") if len(sliders) == 1 else ("Sliders", "them")
    return (f"{what} ({names}) over {getattr(view, '__name__', 'a view')}: run the notebook in "
            f"Jupyter to move {them}; the HTML book moves {them} through precomputed outputs.")


def _slider_values(slider):
    """Every value a reader reaches with ``slider``: low, low + step, ... up to high, and its
    start value (in its place, if it is not on that grid). Ints if the four numbers are ints
    (an IntSlider), else floats rounded to the decimals of step and low (0.3, not
    0.30000000000000004)."""
    value, low, high, step = slider
    count = int(math.floor((high - low) / step + 1e-9)) + 1
    if _all_ints(value, low, high, step):
        grid = [int(low) + k * int(step) for k in range(count)]
        value = int(value)
    else:
        digits = max(_decimals_of(step), _decimals_of(abs(low)))
        grid = [round(low + k * step, digits) + 0.0 for k in range(count)]
        value = float(value)
    if value not in grid:
        grid = sorted([*grid, value])
    return grid


def _readout(number, step):
    return str(number) if isinstance(number, int) else f"{number:.{_decimals_of(step)}f}"


# An image inline in a view's HTML; the static widget stores each distinct one once.
_DATA_URI = re.compile(r"data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]+")
_TAG = re.compile(r"(<[^>]*>)")


def _static_states(view, sliders):
    """The view's output for the slider values a reader can reach, encoded compactly.

    Each slider reaches the values of :func:`_slider_values`. With one slider, or several whose
    combinations number at most ``GRID_LIMIT``, every combination is stored ("grid");
    otherwise each slider moved alone while the others keep their start values ("alone").

    Encoding: every inline image (a data URI) is replaced by ``\u0000k\u0000``, ``k`` indexing
    ``images``, so each distinct picture is stored once. The start state's HTML, split at its
    tags, is the ``template``; a state whose split has as many pieces stores only the pieces
    at the positions ``varying`` (those where any such state differs from the template), any
    other state its whole HTML.

    Returns
    -------
    dict : ``names``, ``values`` (one list per slider), ``labels`` (their readouts),
        ``start`` (index of each start value), ``grid`` (bool), ``count`` (states),
        ``template``, ``varying``, ``images`` and ``states`` (key: the value indices joined
        by commas, e.g. "3,0"; value: a list of pieces or a str).
    """
    sliders = {name: Slider(*slider) for name, slider in sliders.items()}
    names = list(sliders)
    values = [_slider_values(sliders[name]) for name in names]
    start = tuple(vals.index(int(sliders[name].value) if isinstance(vals[0], int)
                             else float(sliders[name].value))
                  for name, vals in zip(names, values))
    sizes = [len(vals) for vals in values]
    grid = len(names) == 1 or math.prod(sizes) <= GRID_LIMIT
    if grid:
        combos = list(itertools.product(*(range(n) for n in sizes)))
    else:
        combos = [start] + [start[:i] + (k,) + start[i + 1:]
                            for i, n in enumerate(sizes) for k in range(n) if k != start[i]]
    images, image_index = [], {}

    def image_ref(match):
        uri = match.group(0)
        if uri not in image_index:
            image_index[uri] = len(images)
            images.append(uri)
        return f"\u0000{image_index[uri]}\u0000"

    pieces = {}
    for combo in combos:
        html_text = _view_html(view, {name: vals[k] for name, vals, k in zip(names, values, combo)})
        pieces[",".join(map(str, combo))] = _TAG.split(_DATA_URI.sub(image_ref, html_text))
    template = pieces[",".join(map(str, start))]
    alike = [p for p in pieces.values() if len(p) == len(template)]
    varying = sorted({i for p in alike for i, (a, b) in enumerate(zip(p, template)) if a != b})
    states = {key: [p[i] for i in varying] if len(p) == len(template) else "".join(p)
              for key, p in pieces.items()}
    return {"names": names, "values": values,
            "labels": [[_readout(v, sliders[name].step) for v in vals]
                       for name, vals in zip(names, values)],
            "start": list(start), "grid": grid, "count": len(states), "template": template,
            "varying": varying, "images": images, "states": states}


# Swaps the shown output of every static widget on the page when one of its sliders moves.
# Idempotent (each widget's copy of it sets up the widgets not yet set up), so it does not
# depend on document.currentScript or on the order in which a page runs its scripts.
_STATIC_WIDGET_JS = r"""(function () {
  "use strict";
  document.querySelectorAll(".rnn-static-widget:not([data-rnn-ready])").forEach(function (box) {
    box.setAttribute("data-rnn-ready", "");
    var data = JSON.parse(box.querySelector("script.rnn-static-states").textContent);
    var inputs = [].slice.call(box.querySelectorAll("input.rnn-static-input"));
    var shown = box.querySelector(".rnn-static-view");
    function html(key) {
      var state = data.states[key], pieces;
      if (typeof state !== "string") {
        pieces = data.template.slice();
        data.varying.forEach(function (at, j) { pieces[at] = state[j]; });
        state = pieces.join("");
      }
      return state.replace(/\u0000(\d+)\u0000/g, function (m, k) { return data.images[+k]; });
    }
    function show(moved) {
      var key = [], values = {};
      inputs.forEach(function (input, i) {
        if (moved === null || (!data.grid && input !== moved)) input.value = data.start[i];
        var k = +input.value;
        key.push(k);
        values[data.names[i]] = data.values[i][k];
        box.querySelectorAll("output.rnn-static-readout")[i].textContent = data.labels[i][k];
      });
      if (moved !== null) {
        shown.innerHTML = html(key.join(","));
        if (window.MathJax && MathJax.typesetPromise) MathJax.typesetPromise([shown]);
      }
      box.setAttribute("data-rnn-values", JSON.stringify(values));
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { show(input); });
    });
    show(null);
  });
})();"""


def _static_widget_html(view, sliders):
    """The widget as HTML that moves without a kernel: range inputs, the start state's output,
    every reachable state (:func:`_static_states`) as JSON and the script that swaps them.

    On screen: the sliders and a note saying which states are stored (class
    ``rnn-screen-only``). In print: the start state's output, its slider values and a link to
    the live notebook (class ``rnn-print-only``; the book's extension book/_ext/static_widgets.py
    points links of class ``rnn-live-notebook`` at the chapter's notebook on Colab).
    """
    data = _static_states(view, sliders)
    names, esc = data["names"], html.escape
    controls = "".join(
        '<label class="rnn-static-slider" style="display:flex;align-items:center;gap:0.5em;'
        'flex:1 1 15em;max-width:24em;min-width:0">'
        f'<span class="rnn-static-name" style="min-width:3em">{esc(name)}</span>'
        f'<input class="rnn-static-input" type="range" min="0" max="{len(vals) - 1}" step="1" '
        f'value="{k}" autocomplete="off" aria-label="{esc(name)}" data-rnn-name="{esc(name)}" '
        'style="flex:1 1 auto;min-width:6em;width:100%">'
        f'<output class="rnn-static-readout" style="min-width:3.5em">{esc(labels[k])}</output>'
        '</label>'
        for name, vals, labels, k in zip(names, data["values"], data["labels"], data["start"]))
    starts = ", ".join(f"{name} = {labels[k]}"
                       for name, labels, k in zip(names, data["labels"], data["start"]))
    if len(names) == 1:
        stored = f"for each of the {data['count']} values of {names[0]}"
    elif data["grid"]:
        stored = f"for every combination of the sliders' values ({data['count']} states)"
    else:
        stored = (f"for each slider moved alone, the others at their start values "
                  f"({data['count']} states): moving one slider puts the others back")
    link = '<a class="rnn-live-notebook" href="#rnn-live-notebook">the live notebook</a>'
    payload = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    start_html = re.sub(r"\u0000(\d+)\u0000", lambda m: data["images"][int(m.group(1))],
                        "".join(data["template"]))
    return (
        f'<div class="rnn-static-widget" data-rnn-view="{esc(_view_name(view))}">'
        '<div class="rnn-static-controls rnn-screen-only" style="display:flex;flex-wrap:wrap;'
        f'gap:0.25em 1.5em;max-width:100%">{controls}</div>'
        '<p class="rnn-static-note rnn-screen-only" style="font-size:0.85em;margin:0.3em 0">'
        f"Without a kernel the page shows the output computed in advance {stored}; {link} "
        "computes it for any value.</p>"
        f'<div class="rnn-static-view" style="overflow-x:auto;max-width:100%">{start_html}</div>'
        '<p class="rnn-static-print rnn-print-only" style="display:none;font-size:0.85em">'
        f"Shown at the sliders' start values ({esc(starts)}). Move them in the HTML book or in "
        f"{link}.</p>"
        f'<script type="application/json" class="rnn-static-states">{payload}</script>'
        f"<script>{_STATIC_WIDGET_JS}</script></div>")


def _decimals_of(step):
    """Decimals needed to show multiples of ``step``: 0.05 -> 2, 0.5 -> 1, 1.0 -> 0."""
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def sgd_animation(losses, predictions, targets, frames=None, dpi=70, figsize=(6, 3)):
    """Animate SGD: predictions o_t approaching the targets (left) and the loss falling (right).

    Parameters
    ----------
    losses : (S,) array, the loss before each step (and after the last).
    predictions : (S, T) array, o_1..o_T at each of them.
    targets : (T,) array.
    frames : sequence of step indices in [0, S) to draw, optional; every step when omitted.
        Fewer frames keep an embedded (``to_jshtml``) animation light.
    dpi : float > 0
    figsize : (width, height) in inches.

    Returns
    -------
    anim : matplotlib.animation.FuncAnimation; its figure is closed so that only the
        animation (e.g. :func:`animation_html`, a player that works offline) is shown.
    """
    dims = Dims()
    losses = dims.array("losses", losses, "S")
    predictions = dims.array("predictions", predictions, "S T")
    targets = dims.array("targets", targets, "T")
    if frames is not None:
        frames = integer_array("frames", frames, "step indices")
        if frames.ndim != 1 or frames.size == 0:
            raise ValueError(f"frames must be a non-empty sequence of step indices, got shape "
                             f"{frames.shape}")
        if frames.min() < 0 or frames.max() >= len(losses):
            raise ValueError(f"frames must lie in [0, S) = [0, {len(losses)}), got values from "
                             f"{frames.min()} to {frames.max()}")
        frames = frames.tolist()
    dpi = real_number("dpi", dpi, low=0, low_open=True)
    figsize = _figsize("figsize", figsize)
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

    Parameters
    ----------
    T : int >= 1, steps.
    losses : bool, include the loss nodes L_t.

    Returns
    -------
    Graph : ``nodes`` (name -> (x, y, TeX label)) and ``edges`` ((source, target, TeX label)).
    """
    T = integer("T", T, low=1)
    losses = flag("losses", losses)
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

    Parameters
    ----------
    T : int >= 1, steps.
    k : int in [1, T], the state the paths reach.

    Returns
    -------
    paths : list of T - k + 1 lists of node names.
    """
    T = integer("T", T, low=1)
    k = integer("k", k, low=1, high=T)
    return [[f"L_{t}", f"o_{t}", *[f"h_{s}" for s in range(t, k - 1, -1)]] for t in range(k, T + 1)]


LANE = 0.09  # distance between a drawn gradient path and the edge it follows (graph units)


def draw_unrolled_graph(T, ax=None, *, values=None, paths=(), path_labels=None, losses=True,
                        edge_labels=True, highlight=()):
    """Draw the unrolled graph of :func:`unrolled_graph`, optionally with values and paths.

    Forward edges are grey arrows with the weight they carry written beside them; a gradient
    path is drawn beside the edges it follows backwards (left of a vertical edge, above a
    horizontal one, whose label moves up to make room), in its own colour, so no path hides an
    edge, its label or a value.

    Parameters
    ----------
    T : int >= 1, steps.
    ax : matplotlib Axes, optional; a new figure when omitted.
    values : dict, node name -> short text (a str) shown under the node (e.g. "0.336"), optional.
    paths : list or tuple of node-name lists (e.g. :func:`gradient_paths`), each following edges
        of the graph and drawn over it in its own colour, in the backward direction.
    path_labels : list or tuple of str, labels of ``paths`` for a legend, optional (one per path).
    losses : bool, draw the loss nodes L_t.
    edge_labels : bool, write the weight on every edge (W_xh, W_hh, W_hy).
    highlight : list or tuple of weight names (e.g. ``("W_hh",)``) whose edges, every copy of the
        shared weight, are drawn thick and dark red with a bold label.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.patches import FancyArrowPatch

    T = integer("T", T, low=1)
    losses, edge_labels = flag("losses", losses), flag("edge_labels", edge_labels)
    graph = unrolled_graph(T, losses)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {_describe(ax)}")
    if values is not None:
        params_dict(values, (), "values", "a dict, node name -> text")
        for name, value in values.items():
            if name not in graph.nodes:
                raise ValueError(f"values must be keyed by nodes of the graph with T = {T}, got "
                                 f"the key {name!r}")
            text(f"values[{name!r}]", value)
    nodes = f"h_0, x_t, h_t, o_t{', L_t' if losses else ''}"
    _sequence("paths", paths)
    edges = {frozenset(edge[:2]) for edge in graph.edges}
    for i, path in enumerate(paths):
        _sequence(f"paths[{i}]", path)
        for node in path:
            if not (isinstance(node, str) and node in graph.nodes):
                raise ValueError(f"paths must name nodes of the graph with T = {T} ({nodes}), "
                                 f"got {node!r} in paths[{i}]")
        for a, b in zip(path, path[1:]):
            if frozenset((a, b)) not in edges:
                raise ValueError(f"paths[{i}] must follow edges of the graph, got {a!r} -> "
                                 f"{b!r}, which no edge joins")
    if path_labels is not None:
        _sequence("path_labels", path_labels, len(paths), "one per path")
        for i, label in enumerate(path_labels):
            text(f"path_labels[{i}]", label)
    weights = ("W_xh", "W_hh", "W_hy")
    if not isinstance(highlight, (list, tuple)) or any(name not in weights for name in highlight):
        raise ValueError(f"highlight must be a sequence of weight names from {list(weights)} "
                         f"(a list or tuple), got {_short(highlight)}")
    highlight = {f"$W_{{{name[2:]}}}$" for name in highlight}
    # Paths beside the edges they follow: one lane per path crossing an edge, numbered from the
    # edge outwards, so parallel paths never overlap and a label clears every lane.
    lanes, lane_of = {}, []
    for path in paths:
        lane_of.append([])
        for a, b in zip(path, path[1:]):
            edge = frozenset((a, b))
            lanes[edge] = lanes.get(edge, 0) + 1
            lane_of[-1].append(lanes[edge])
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 1.7 * T, 4.0 if losses else 3.1),
                             layout="constrained")
    for source, target, label in graph.edges:
        (x0, y0, _), (x1, y1, _) = graph.nodes[source], graph.nodes[target]
        strong = label in highlight
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=15, shrinkB=15, color="#8b1a1a" if strong else "0.35",
                                     lw=2.4 if strong else 1.2))
        if edge_labels and label:
            above = 0.14 + LANE * lanes.get(frozenset((source, target)), 0)
            dx, dy = (0.0, above) if y0 == y1 else (0.1, 0.0)
            ax.text((x0 + x1) / 2 + dx, (y0 + y1) / 2 + dy, label, fontsize=9,
                    color="#8b1a1a" if strong else "0.3", fontweight="bold" if strong else None,
                    ha="center" if y0 == y1 else "left", va="center")
    for i, path in enumerate(paths):
        colour = f"C{(i + 1) % 10}"
        for (a, b), lane in zip(zip(path, path[1:]), lane_of[i]):
            (x0, y0, _), (x1, y1, _) = graph.nodes[a], graph.nodes[b]
            dx, dy = (0.0, LANE * lane) if y0 == y1 else (-LANE * lane, 0.0)
            ax.add_patch(FancyArrowPatch((x0 + dx, y0 + dy), (x1 + dx, y1 + dy),
                                         arrowstyle="-|>", mutation_scale=11, shrinkA=14,
                                         shrinkB=14, color=colour, lw=2.0, alpha=0.9))
        if path_labels:
            ax.plot([], [], color=colour, lw=2, label=path_labels[i])
    for name, (x, y, label) in graph.nodes.items():
        face = {"x": "#e8f0fe", "h": "#fff4d6", "o": "#e6f4ea", "L": "#fde7e7"}[name[0]]
        ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=3,
                bbox=dict(boxstyle="circle,pad=0.35", fc=face, ec="0.3", lw=1))
        if values and name in values:
            ax.text(x + 0.2, y - 0.2, values[name], ha="left", va="top", fontsize=8.5,
                    color="0.15", zorder=4)
    if path_labels:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.02), fontsize=8.5, frameon=False)
    top = 3 if losses else 2
    ax.set(xlim=(-0.5, T + 0.75), ylim=(-0.5, top + 0.5), aspect="equal")
    ax.axis("off")
    return ax.figure


def figure_html(fig, dpi=80):
    """A matplotlib figure as an HTML ``<img>`` with the PNG inline (for widget views).

    The PNG is deterministic for a given figure (no timestamp in its metadata). The figure is
    left as it is, open: a view that makes a figure only to show it closes it afterwards.

    Parameters
    ----------
    fig : matplotlib Figure
    dpi : float > 0, resolution of the PNG.

    Returns
    -------
    str : ``<img alt="figure" src="data:image/png;base64,...">``
    """
    import base64
    import io

    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {_describe(fig)}")
    dpi = real_number("dpi", dpi, low=0, low_open=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


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


STRIP_FRAMES = 4  # frames of an animation printed in its place (the player does not print)


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
    str : HTML that fetches nothing: the player (markup and script) in a ``<div>`` of class
    ``rnn-screen-only``, then, for print, a strip of ``STRIP_FRAMES`` of its frames (first to
    last, evenly spaced, each captioned "frame k of N") in a ``<div>`` of class
    ``rnn-print-only``, hidden on screen. As with ``to_jshtml``, the frames are rendered once per
    animation and reused by later calls.
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
    frames = [frame.replace("\\\n", "") for frame in
              re.findall(r'frames\[\d+\] = "(data:image/[\w+]+;base64,[\w+/=\\\n]+)"', player)]
    picked = sorted({round(i * (len(frames) - 1) / (STRIP_FRAMES - 1)) for i in range(STRIP_FRAMES)})
    strip = "".join(
        '<figure style="margin:0;flex:1 1 45%;max-width:50%">'
        f'<img src="{frames[k]}" alt="frame {k + 1} of '
        f'{len(frames)}" style="width:100%"><figcaption style="text-align:center;'
        f'font-size:0.85em">frame {k + 1} of {len(frames)}</figcaption></figure>'
        for k in picked)
    return (f'<div class="rnn-animation"><div class="rnn-screen-only">{player}</div>'
            '<div class="rnn-animation-strip rnn-print-only" style="display:none">'
            f'<div style="display:flex;flex-wrap:wrap;gap:0.5em 1em">{strip}</div></div></div>')


def plot_panels(x, panels, xlabel, *, logx=False, logy=(), marks=(), figsize=None):
    """Several labelled curves per panel, all against one shared x (one panel per title).

    Parameters
    ----------
    x : (N,) array, the shared horizontal axis.
    panels : dict, panel title -> {curve label: (N,) array}.
    xlabel : str
    logx : bool, logarithmic x axis on every panel.
    logy : list or tuple of the titles of the panels whose y axis is logarithmic.
    marks : list or tuple of (label, value) pairs, a dashed vertical line on every panel at each
        value.
    figsize : (width, height), optional; 3.4 inches per panel by 3 when omitted.

    Returns
    -------
    fig : matplotlib Figure
    """
    dims = Dims()
    x = dims.array("x", x, "N")
    params_dict(panels, (), "panels", "a dict, panel title -> {curve label: (N,) array}")
    if not panels:
        raise ValueError("panels must hold at least one panel, got an empty dict")
    for title, curves in panels.items():
        text("each key of panels (a panel title)", title)
        label = f"panels[{title!r}]"
        params_dict(curves, (), label, "a dict, curve label -> (N,) array")
        if not curves:
            raise ValueError(f"{label} must hold at least one curve, got an empty dict")
        for name, ys in curves.items():
            text(f"each key of {label} (a curve label)", name)
            dims.array(f"{label}[{name!r}]", ys, "N")
    text("xlabel", xlabel)
    logx = flag("logx", logx)
    _sequence("logy", logy)
    for i, title in enumerate(logy):
        if text(f"logy[{i}]", title) not in panels:
            raise ValueError(f"logy must name titles of panels {list(panels)}, got "
                             f"{_short(title)} in logy[{i}]")
    _sequence("marks", marks)
    for i, mark in enumerate(marks):
        if not (isinstance(mark, (list, tuple)) and len(mark) == 2):
            raise TypeError(f"marks[{i}] must be a (label, value) pair, got {_describe(mark)}")
        text(f"marks[{i}][0]", mark[0])
        real_number(f"marks[{i}][1]", mark[1])
    figsize = (3.4 * len(panels), 3.0) if figsize is None else _figsize("figsize", figsize)
    import matplotlib.pyplot as plt

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
