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
