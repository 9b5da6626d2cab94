"""Chapter 1's worked example: the traces behind its text, tables, widget and figures."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from rnnlib.chapters import display
from rnnlib.chapters import fnn_vs_rnn as ex

PARAM_KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
FNN_KEYS = ("W_xh", "b_h", "W_hy", "b_y")
unit = st.floats(-1.5, 1.5, allow_nan=False)


def rnn_inputs(example):
    params = ex.scalar_params(**{k: example[k] for k in PARAM_KEYS})
    return params, ex.scalar_sequence(example["x"]), ex.scalar_sequence(example["y"])


def test_rnn_trace_equals_rnn_loss_at_the_articles_inputs():
    trace = ex.trace_rnn(**ex.RNN_EXAMPLE)
    params, x, y = rnn_inputs(ex.RNN_EXAMPLE)
    loss, grads = rnnlib.rnn_loss(params, x, y, reduction="sum")
    assert trace["L"] == pytest.approx(loss, abs=1e-15)
    new = rnnlib.sgd_step(params, grads, ex.RNN_EXAMPLE["lr"])
    for k in PARAM_KEYS:
        assert trace["d" + k] == pytest.approx(grads[k].item(), abs=1e-15)
        assert trace[k + "_new"] == pytest.approx(new[k].item(), abs=1e-15)
        assert trace["d" + k] == pytest.approx(trace[f"d{k}_1"] + trace[f"d{k}_2"], abs=1e-15)


def test_rnn_trace_matches_an_independent_scalar_computation():
    """The article's inputs, recomputed with math.tanh and plain floats (no rnnlib)."""
    x1, x2, y1, y2 = 0.5, 0.7, 0.8, 0.9
    W_xh, W_hh, b_h, W_hy, b_y, lr = 0.5, 0.3, 0.1, 0.7, 0.2, 0.1
    h1 = math.tanh(W_xh * x1 + b_h)
    h2 = math.tanh(W_xh * x2 + W_hh * h1 + b_h)
    o1, o2 = W_hy * h1 + b_y, W_hy * h2 + b_y
    L1, L2 = 0.5 * (o1 - y1) ** 2, 0.5 * (o2 - y2) ** 2
    do1, do2 = o1 - y1, o2 - y2
    da2 = do2 * W_hy * (1 - h2**2)
    dh1 = do1 * W_hy + da2 * W_hh
    da1 = dh1 * (1 - h1**2)
    expected = {
        "h_1": h1, "h_2": h2, "o_1": o1, "o_2": o2, "L_1": L1, "L_2": L2, "L": L1 + L2,
        "da_2": da2, "dh_next_1": da2 * W_hh, "dh_1": dh1, "da_1": da1,
        "dW_hy": do1 * h1 + do2 * h2, "db_y": do1 + do2, "dW_hh": da2 * h1,
        "dW_xh": da1 * x1 + da2 * x2, "db_h": da1 + da2,
        "W_hh_new": W_hh - lr * da2 * h1, "W_hy_new": W_hy - lr * (do1 * h1 + do2 * h2),
        "W_xh_new": W_xh - lr * (da1 * x1 + da2 * x2), "b_h_new": b_h - lr * (da1 + da2),
        "b_y_new": b_y - lr * (do1 + do2),
    }
    trace = ex.trace_rnn(**ex.RNN_EXAMPLE)
    for key, value in expected.items():
        assert trace[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
    # the values the chapter's text relies on, to the digits it shows
    assert round(trace["h_1"], 3) == 0.336 and round(trace["L"], 4) == 0.1274
    assert round(trace["dW_hy"], 4) == -0.2976 and round(trace["dW_hh"], 4) == -0.0616


def test_fnn_trace_equals_fnn_loss_and_the_article():
    trace = ex.trace_fnn(**ex.FNN_EXAMPLE)
    params = ex.scalar_params(**{k: ex.FNN_EXAMPLE[k] for k in FNN_KEYS})
    x, y = np.array([[0.5]]), np.array([[0.8]])
    loss, grads = rnnlib.fnn_loss(params, x, y, activation="relu")
    assert trace["L"] == pytest.approx(loss)
    for k in FNN_KEYS:
        assert trace["d" + k] == pytest.approx(grads[k].item())
    expected = {"h": 0.3, "o": 0.38, "L": 0.0882, "dW_hy": -0.126, "dW_xh": -0.126,
                "db_h": -0.252, "db_y": -0.42, "W_xh_new": 0.4126, "W_hy_new": 0.6126,
                "b_h_new": 0.1252, "b_y_new": 0.242}
    for key, value in expected.items():
        assert trace[key] == pytest.approx(value, abs=1e-12), key


@given(x1=unit, x2=unit, W_xh=unit, W_hh=unit, h0=unit)
def test_rnn_trace_equals_rnn_loss_anywhere(x1, x2, W_xh, W_hh, h0):
    example = {**ex.RNN_EXAMPLE, "x": (x1, x2), "W_xh": W_xh, "W_hh": W_hh, "h0": h0}
    trace = ex.trace_rnn(**example)
    params, x, y = rnn_inputs(example)
    loss, grads = rnnlib.rnn_loss(params, x, y, h0=np.array([[h0]]))
    assert trace["L"] == pytest.approx(loss, rel=1e-12, abs=1e-14)
    for k in PARAM_KEYS:
        assert trace["d" + k] == pytest.approx(grads[k].item(), rel=1e-9, abs=1e-12)
    assert trace["dW_hh_1"] == pytest.approx(h0 * trace["da_1"], rel=1e-12, abs=1e-15)


def test_rnn_trace_of_three_steps():
    example = {**ex.RNN_EXAMPLE, "x": (0.5, 0.7, 0.2), "y": (0.8, 0.9, 0.4)}
    trace = ex.trace_rnn(**example)
    params, x, y = rnn_inputs(example)
    loss, grads = rnnlib.rnn_loss(params, x, y)
    assert trace["L"] == pytest.approx(loss)
    assert all(trace["d" + k] == pytest.approx(grads[k].item()) for k in PARAM_KEYS)
    assert trace["dh_next_3"] == 0.0 and trace["dh_next_2"] != 0.0
    with pytest.raises(ValueError, match="same length"):
        ex.trace_rnn(x=(0.5, 0.7), y=(0.8,))


def test_changing_W_hh_changes_dW_hh_and_W_hh_zero_cuts_the_recurrent_path():
    base = ex.trace_rnn(**ex.RNN_EXAMPLE)
    other = ex.trace_rnn(**{**ex.RNN_EXAMPLE, "W_hh": -0.6})
    assert other["dW_hh"] != pytest.approx(base["dW_hh"])
    zero = ex.trace_rnn(**{**ex.RNN_EXAMPLE, "W_hh": 0.0})
    assert zero["dh_next_1"] == 0.0 and zero["dW_hh"] != 0.0


def test_trace_table_contains_every_key_and_value():
    trace = ex.trace_rnn(**ex.RNN_EXAMPLE)
    for columns in (1, 2, 3):
        table = ex.trace_table_html(trace, digits=4, columns=columns)
        for key, value in trace.items():
            assert f">{key}<" in table
            assert f">{value + 0.0:.4f}<" in table
    assert "-0.0000" not in ex.trace_table_html({"z": -0.0})
    assert "&lt;b&gt;" in ex.trace_table_html({"<b>": 1.0})


def test_every_trace_key_has_a_meaning():
    keys = [*ex.trace_rnn(**ex.RNN_EXAMPLE), *ex.trace_fnn(**ex.FNN_EXAMPLE)]
    assert all(ex.describe(k) for k in keys), [k for k in keys if not ex.describe(k)]
    assert ex.describe("dh_next_1").startswith("part of dL/dh_1 through the next step: da_2 W_hh^T")
    assert ex.describe("W_hh_new") == "W_hh after one SGD step"


def test_comparison_with_the_article_finds_its_mistakes():
    rnn_rows = ex.compare_with_article(ex.trace_rnn(**ex.RNN_EXAMPLE), ex.ARTICLE_RNN_QUOTED,
                                       ex.redo_rnn_from_quoted(), ex.ARTICLE_RNN_OMITTED)
    verdicts = {r["quantity"]: r["verdict"] for r in rnn_rows}
    wrong = {k for k, v in verdicts.items() if v == "wrong"}
    assert wrong == {"h_1", "h_2", "L_1", "L_2", "dW_hy", "dW_hh"}
    assert verdicts["o_2"] == "agrees" and verdicts["L"] == "inherited"
    assert verdicts["W_hy_new"] == verdicts["W_hh_new"] == "inherited"
    assert {k for k, v in verdicts.items() if v == "not given"} == set(ex.ARTICLE_RNN_OMITTED)
    assert all(r["cause"] for r in rnn_rows if r["verdict"] in ("wrong", "inherited"))
    fnn_rows = ex.compare_with_article(ex.trace_fnn(**ex.FNN_EXAMPLE), ex.ARTICLE_FNN_QUOTED,
                                       ex.redo_fnn_from_quoted(), ex.ARTICLE_FNN_OMITTED)
    assert {r["verdict"] for r in fnn_rows} == {"agrees", "not given"}
    table = ex.comparison_table_html(rnn_rows)
    assert all(f">{text}<" in table for text in ex.ARTICLE_RNN_QUOTED.values())


def test_the_articles_gradients_are_the_wrong_formulas():
    q = {k: float(v) for k, v in ex.ARTICLE_RNN_QUOTED.items()}
    assert q["h_1"] * q["do_1"] == pytest.approx(q["dW_hy"], abs=1e-3)  # step-1 term only
    assert q["do_2"] * q["h_2"] * ex.RNN_EXAMPLE["W_hh"] == pytest.approx(q["dW_hh"])


def test_train_path_and_sweep():
    params, x, y = rnn_inputs(ex.RNN_EXAMPLE)
    run = rnnlib.train(lambda p: rnnlib.rnn_loss(p, x, y), params, 5, lr=0.1, keep_path=True)
    path, losses = run.path, run.losses
    assert len(path) == 6 and losses.shape == (6,) and np.all(np.diff(losses) < 0)
    first = ex.trace_rnn(**ex.RNN_EXAMPLE)
    assert all(path[1][k].item() == pytest.approx(first[k + "_new"]) for k in PARAM_KEYS)
    assert path[0] is params and params["W_hh"].item() == 0.3
    grid = np.linspace(-1, 1, 5)
    scan = ex.sweep(ex.trace_rnn, "W_hh", grid, **ex.RNN_EXAMPLE)
    assert scan["dW_hh"].shape == (5,) and np.array_equal(scan["W_hh"], grid)


def test_widget_recomputes_the_table():
    pytest.importorskip("ipywidgets")
    box = ex.rnn_trace_widget()
    sliders = [w for row in box.children[:-1] for w in row.children]
    table = box.children[-1]
    assert [s.description for s in sliders] == ["x_1", "x_2", "W_xh", "W_hh", "h_0"]
    assert table.value == ex.trace_table_html(ex.trace_rnn(**ex.RNN_EXAMPLE), 4, 2)
    assert table.value == ex.trace_view()
    sliders[3].value = -0.5
    moved = ex.trace_rnn(**{**ex.RNN_EXAMPLE, "W_hh": -0.5})
    assert table.value == ex.trace_table_html(moved, 4, 2) == ex.trace_view(W_hh=-0.5)
    sliders[0].value = 1.0
    assert table.value == ex.trace_view(x_1=1.0, W_hh=-0.5)
    sliders[4].value = 0.5
    assert table.value == ex.trace_view(x_1=1.0, W_hh=-0.5, h_0=0.5)
    assert "rnn-live-view" in table._dom_classes


def test_h0_slider_makes_the_step1_term_of_dW_hh_appear():
    """The lesson of the h_0 slider: dW_hh_1 = h_0 da_1 is 0 at the example's h_0 = 0 only."""
    start = ex.TRACE_SLIDERS["h_0"]
    assert start.value == ex.RNN_EXAMPLE["h0"] == 0.0 and -1 < start.low < 0 < start.high < 1
    zero = ex.trace_rnn(**ex.RNN_EXAMPLE)
    assert zero["dW_hh_1"] == 0.0 and zero["dW_hh"] == zero["dW_hh_2"]
    moved = ex.trace_rnn(**{**ex.RNN_EXAMPLE, "h0": 0.5})
    assert moved["dW_hh_1"] == pytest.approx(0.5 * moved["da_1"], rel=1e-12)
    assert moved["dW_hh_1"] != 0.0 and moved["dW_hh"] != pytest.approx(moved["dW_hh_2"])
    view = ex.trace_view(h_0=0.5)
    assert f">{moved['dW_hh_1']:.4f}<" in view[view.index(">dW_hh_1<"):]


def test_unshared_loss_is_rnn_loss_and_its_copies_give_the_per_step_terms():
    rng = np.random.default_rng(3)
    params = rnnlib.init_rnn_params(2, 4, 2, rng)
    x, y, h0 = rng.standard_normal((3, 3, 2)), rng.standard_normal((3, 3, 2)), 0.5 * rng.standard_normal((3, 4))
    loss, grads = rnnlib.rnn_loss(params, x, y, h0=h0)
    copies = [{k: v.copy() for k, v in params.items()} for _ in range(3)]
    assert ex.unshared_rnn_loss(copies, x, y, h0=h0) == pytest.approx(loss, rel=1e-13)
    before = [{k: v.copy() for k, v in c.items()} for c in copies]
    for k in params:
        per_copy = [rnnlib.numerical_gradient(lambda: ex.unshared_rnn_loss(copies, x, y, h0=h0),
                                              copies[t][k]) for t in range(3)]
        assert rnnlib.relative_error(sum(per_copy), grads[k]) < 1e-7, k
        assert all(np.abs(g).max() > 0 for g in per_copy), k  # every copy contributes
    assert all(np.array_equal(c[k], b[k]) for c, b in zip(copies, before) for k in params)


def test_unshared_loss_per_copy_equals_the_traces_step_terms():
    params, x, y = rnn_inputs(ex.RNN_EXAMPLE)
    trace = ex.trace_rnn(**ex.RNN_EXAMPLE)
    copies = [{k: v.copy() for k, v in params.items()} for _ in range(2)]
    for k in PARAM_KEYS:
        for t in (1, 2):
            fd = rnnlib.numerical_gradient(lambda: ex.unshared_rnn_loss(copies, x, y), copies[t - 1][k])
            assert fd.item() == pytest.approx(trace[f"d{k}_{t}"], abs=1e-9), (k, t)


def test_unshared_loss_rejects_bad_arguments():
    params, x, y = rnn_inputs(ex.RNN_EXAMPLE)
    with pytest.raises(TypeError, match="step_params must be a list"):
        ex.unshared_rnn_loss(params, x, y)
    with pytest.raises(ValueError, match="one parameter dict per step, T = 2"):
        ex.unshared_rnn_loss([params], x, y)
    with pytest.raises(ValueError, match=r"step_params\[1\] is missing \['b_y'\]"):
        ex.unshared_rnn_loss([params, {k: v for k, v in params.items() if k != "b_y"}], x, y)
    wrong = {**params, "W_hh": np.zeros((2, 2))}
    with pytest.raises(ValueError, match=r"step_params\[1\]\['W_hh'\] must have shape"):
        ex.unshared_rnn_loss([params, wrong], x, y)
    with pytest.raises(ValueError, match="targets must have shape"):
        ex.unshared_rnn_loss([params, params], x, y[:1])


def test_the_articles_dW_hy_fails_the_gradient_check_on_W_hy_only():
    params, x, y = rnn_inputs(ex.RNN_EXAMPLE)
    loss, grads = ex.rnn_loss_step1_dW_hy(params, x, y)
    assert grads["W_hy"].item() == pytest.approx(ex.trace_rnn(**ex.RNN_EXAMPLE)["dW_hy_1"])
    errors = rnnlib.check_gradients(lambda p: ex.rnn_loss_step1_dW_hy(p, x, y),
                                    {k: v.copy() for k, v in params.items()})
    assert errors["W_hy"] > 0.1 and all(e < 1e-7 for k, e in errors.items() if k != "W_hy")
    with pytest.raises(ValueError, match="targets"):
        ex.rnn_loss_step1_dW_hy(params, x, y[:, :, :0])


def test_sgd_animation_draws_the_frames_asked_for():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")

    losses, predictions = np.array([1.0, 0.5, 0.2]), np.zeros((3, 2))
    anim = display.sgd_animation(losses, predictions, np.ones(2), frames=[0, 2])
    assert anim.to_jshtml().count("data:image/png;base64") == 2
