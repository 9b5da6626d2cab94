"""The display helpers the chapters share: the unrolled graph as data and as a figure, the widget
pattern, figures as inline HTML."""
import numpy as np
import pytest

from rnnlib.chapters import display


@pytest.mark.parametrize("T", [1, 2, 5])
def test_unrolled_graph_has_one_copy_of_each_weight_per_step(T):
    graph = display.unrolled_graph(T)
    labels = [label for _, _, label in graph.edges]
    assert labels.count("$W_{hh}$") == labels.count("$W_{xh}$") == labels.count("$W_{hy}$") == T
    assert len(graph.nodes) == 1 + 4 * T
    assert ("h_0", "h_1", "$W_{hh}$") in graph.edges
    assert all(s in graph.nodes and t in graph.nodes for s, t, _ in graph.edges)
    assert len(display.unrolled_graph(T, losses=False).nodes) == 1 + 3 * T


def test_gradient_paths_count_the_terms_of_dL_dh():
    paths = display.gradient_paths(4, 2)
    assert paths == [["L_2", "o_2", "h_2"], ["L_3", "o_3", "h_3", "h_2"],
                     ["L_4", "o_4", "h_4", "h_3", "h_2"]]
    graph = display.unrolled_graph(4)
    edges = {(s, t) for s, t, _ in graph.edges}
    for path in paths:  # each backward step follows a forward edge in reverse
        assert all((b, a) in edges for a, b in zip(path, path[1:]))


def test_draw_unrolled_graph_and_figure_html():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    fig = display.draw_unrolled_graph(3, values={"h_1": "0.5"}, paths=display.gradient_paths(3, 1),
                                      path_labels=["a", "b", "c"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "0.5" in texts and texts.count("$W_{hh}$") == 3
    html = display.figure_html(fig)
    assert html.startswith('<img alt="figure" src="data:image/png;base64,')
    again = display.figure_html(display.draw_unrolled_graph(3, values={"h_1": "0.5"},
                                                            paths=display.gradient_paths(3, 1),
                                                            path_labels=["a", "b", "c"]))
    assert html == again


def test_draw_unrolled_graph_keeps_paths_off_edges_and_labels():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    paths = display.gradient_paths(2, 1)
    fig = display.draw_unrolled_graph(2, paths=paths, path_labels=["out", "rec"],
                                      highlight=("W_hh",))
    ax = fig.axes[0]
    arrows = [a for a in ax.patches if isinstance(a, FancyArrowPatch)]
    graph = display.unrolled_graph(2)
    assert len(arrows) == len(graph.edges) + sum(len(p) - 1 for p in paths)
    forward = [a.get_path().vertices for a in arrows[:len(graph.edges)]]
    drawn_paths = [a.get_path().vertices for a in arrows[len(graph.edges):]]
    # no path segment lies on a forward edge: each is shifted off it
    for segment in drawn_paths:
        assert not any(np.allclose(segment[[0, -1]], edge[[0, -1]], atol=0.05)
                       for edge in forward)
    # the two copies of W_hh are the highlighted edges, with bold labels
    bold = [t for t in ax.texts if t.get_fontweight() == "bold"]
    assert [t.get_text() for t in bold] == ["$W_{hh}$", "$W_{hh}$"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["out", "rec"]
    # the W_hh label of the edge h_1 -> h_2, which the recurrent path follows, sits above it
    h1_h2 = [t for t in bold if t.get_position()[0] == 1.5][0]
    assert h1_h2.get_position()[1] > 1 + display.LANE
    plt.close("all")


def test_draw_unrolled_graph_rejects_bad_arguments():
    pytest.importorskip("matplotlib").use("Agg")
    with pytest.raises(ValueError, match="T must be an integer >= 1, got 0"):
        display.draw_unrolled_graph(0)
    with pytest.raises(TypeError, match="T must be an integer"):
        display.draw_unrolled_graph(2.0)
    with pytest.raises(ValueError, match="paths must name nodes of the graph with T = 2.*'h_3'"):
        display.draw_unrolled_graph(2, paths=[["L_2", "o_2", "h_3"]])
    with pytest.raises(ValueError, match="path_labels must have 2 entries, one per path, got 1"):
        display.draw_unrolled_graph(2, paths=display.gradient_paths(2, 1), path_labels=["a"])
    with pytest.raises(ValueError, match=r"highlight must be a sequence of weight names .* got 'W_hh'"):
        display.draw_unrolled_graph(2, highlight="W_hh")
    with pytest.raises(ValueError, match=r"highlight must be .* got \('W_zz',\)"):
        display.draw_unrolled_graph(2, highlight=("W_zz",))


def test_show_prints_one_entry_arrays(capsys):
    display.show(h=np.array([[0.3]]), o=np.array([0.38]), L=0.0882, z=np.array(-0.0))
    assert capsys.readouterr().out == "h = 0.3000   o = 0.3800   L = 0.0882   z = 0.0000\n"
    with pytest.raises(ValueError, match=r"h must be a real number or an array holding exactly one, got shape \(2, 1\)"):
        display.show(h=np.zeros((2, 1)))
    with pytest.raises(ValueError, match="name must be a real number .* got dtype <U1"):
        display.show(name="a")


def test_interactive_shows_the_view_of_the_slider_values():
    pytest.importorskip("ipywidgets")
    box = display.interactive(lambda T, w: f"<p>{T} {w:.2f}</p>",
                              {"T": display.Slider(3, 1, 8, 1), "w": display.Slider(0.5, -1.0, 1.0, 0.25)})
    (row,), output = box.children[:-1], box.children[-1]
    T, w = row.children
    assert type(T).__name__ == "IntSlider" and type(w).__name__ == "FloatSlider"
    assert w.readout_format == ".2f" and T.description == "T"
    assert output.value == "<p>3 0.50</p>"
    T.value = 7
    w.value = -0.25
    assert output.value == "<p>7 -0.25</p>"
    assert "rnn-live-view" in output._dom_classes


def test_format_number_and_html_table():
    assert display.format_number(-0.0, 3) == "0.000"
    table = display.html_table(["a", "<b>"], [[1, "x&y"]])
    assert "&lt;b&gt;" in table and "x&amp;y" in table and table.count("<tr>") == 2


def test_plot_panels_draws_every_curve_and_mark():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.linspace(1, 10, 5)
    fig = display.plot_panels(x, {"a": {"up": x, "down": -x}, "b": {"": x**2}}, "x",
                              logx=True, logy=("b",), marks=[("m", 2.0)])
    left, right = fig.axes
    assert len(left.lines) == 3 and len(right.lines) == 2   # the curves and the mark
    assert left.get_xscale() == "log" and right.get_yscale() == "log"
    assert left.get_yscale() == "linear" and left.get_title() == "a"
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["up", "down", "m"]
    plt.close(fig)


# ---- the widget's static form (moves without a kernel) -----------------------------------------

def static_payload(html_text):
    """The JSON of a static widget's states, read back as the page's script reads it."""
    import json
    import re

    match = re.search(r'<script type="application/json" class="rnn-static-states">(.*?)</script>',
                      html_text, re.S)
    assert match and "</" not in match.group(1)
    return json.loads(match.group(1))


def decode(data, key):
    """A state's HTML as the page's script rebuilds it (template pieces, then the images)."""
    import re

    state = data["states"][key]
    if not isinstance(state, str):
        pieces = list(data["template"])
        for at, piece in zip(data["varying"], state):
            pieces[at] = piece
        state = "".join(pieces)
    return re.sub("\u0000(\\d+)\u0000", lambda m: data["images"][int(m.group(1))], state)


def test_slider_values_are_the_steps_a_reader_reaches():
    assert display._slider_values(display.Slider(3, 1, 8, 1)) == list(range(1, 9))
    taus = display._slider_values(display.Slider(1.0, 0.1, 5.0, 0.1))
    assert len(taus) == 50 and taus[:3] == [0.1, 0.2, 0.3] and taus[-1] == 5.0 and 1.0 in taus
    h0 = display._slider_values(display.Slider(0.0, -0.95, 0.95, 0.05))
    assert len(h0) == 39 and 0.0 in h0 and str(h0[19]) == "0.0"  # not -0.0
    assert display._slider_values(display.Slider(0.33, 0.0, 1.0, 0.5)) == [0.0, 0.33, 0.5, 1.0]


def test_static_states_hold_the_view_for_every_reachable_value():
    def view(T, w):
        return f"<p>T = {T}</p><p>w = {w:.2f}</p>"

    small = {"T": display.Slider(3, 1, 4, 1), "w": display.Slider(0.5, 0.0, 1.0, 0.25)}
    data = display._static_states(view, small)
    assert data["grid"] and data["count"] == 4 * 5 and data["start"] == [2, 2]
    for key in data["states"]:
        i, j = map(int, key.split(","))
        assert decode(data, key) == view(data["values"][0][i], data["values"][1][j])
    assert data["labels"] == [["1", "2", "3", "4"], ["0.00", "0.25", "0.50", "0.75", "1.00"]]
    big = {"a": display.Slider(0.0, -1.0, 1.0, 0.01), "b": display.Slider(0, 0, 9, 1)}
    data = display._static_states(lambda a, b: f"<b>{a:.2f}</b> {b}", big)
    assert not data["grid"] and data["count"] == 201 + 10 - 1   # each slider alone
    assert decode(data, "100,0") == "<b>0.00</b> 0" and decode(data, "37,0") == "<b>-0.63</b> 0"
    assert decode(data, "100,9") == "<b>0.00</b> 9" and "37,9" not in data["states"]
    assert len(data["varying"]) == 2  # only the two numbers are stored per state


def test_static_states_store_each_distinct_image_once():
    pixel = {0: "data:image/png;base64,AAAA", 1: "data:image/png;base64,BBBB"}

    def view(k):
        return f'<img src="{pixel[k % 2]}"><p>{k}</p>' if k < 4 else f"<div>{k}</div>"

    data = display._static_states(view, {"k": display.Slider(0, 0, 5, 1)})
    assert data["images"] == [pixel[0], pixel[1]]
    assert all(decode(data, str(k)) == view(k) for k in range(6))
    assert isinstance(data["states"]["5"], str)  # another structure: stored whole


def test_displayed_widget_carries_the_static_form_and_a_sentence():
    pytest.importorskip("ipywidgets")

    def view(T, w):
        return f"<p>{T} {w:.2f}</p>"

    box = display.interactive(view, {"T": display.Slider(3, 1, 8, 1),
                                     "w": display.Slider(0.5, -1.0, 1.0, 0.25)})
    bundle = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "VBox" not in bundle["text/plain"] and bundle["text/plain"].startswith("Sliders (T, w)")
    page = bundle["text/html"]
    assert page.startswith('<div class="rnn-static-widget" data-rnn-view="')
    assert page.count('class="rnn-static-input"') == 2 and "<p>3 0.50</p>" in page
    assert "for every combination of the sliders' values (72 states)" in page
    assert 'class="rnn-live-notebook"' in page and "rnn-print-only" in page
    assert "T = 3, w = 0.50" in page  # the start values, printed
    data = static_payload(page)
    assert data["count"] == 72 and decode(data, "7,0") == "<p>8 -1.00</p>"
    assert box._repr_mimebundle_()["text/html"] == page  # computed once, the same every time
    assert "http" not in page.replace('href="#rnn-live-notebook"', "")  # fetches nothing


def test_static_form_of_each_chapter_widget_is_small():
    """The chapters' widgets: states stored, and the size of their HTML (the page budget is
    tested on the built book, tests/test_browser.py)."""
    pytest.importorskip("matplotlib").use("Agg")
    from rnnlib.chapters import fnn_vs_rnn, softmax_bptt

    trace = display._static_widget_html(fnn_vs_rnn.trace_view, fnn_vs_rnn.TRACE_SLIDERS)
    assert "each slider moved alone" in trace and "(359 states)" in trace
    assert len(trace) < 400_000
    temperature = display._static_widget_html(softmax_bptt.temperature_view,
                                              softmax_bptt.TEMPERATURE_SLIDERS)
    assert "for each of the 50 values of tau" in temperature and len(temperature) < 60_000
