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
