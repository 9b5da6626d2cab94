"""Chapter 3's helpers: the softmax example and its overflow, temperature and its widget view, the
squared-error-on-softmax loss, BPTT in Goodfellow et al.'s notation, the quotes of rnnlib's
source, truncated BPTT and what it costs."""
import math
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import rnnlib
from rnnlib import datasets
from rnnlib.chapters import softmax_bptt as ch

from helpers import (PARAM_KEYS, assert_gradients, finite_difference, gradient_settings,
                      property_settings, random_params, rel_error, seeds, size)

ARTICLE = np.array(ch.ARTICLE_LOGITS)


# ---- softmax, its overflow, the article's values ---------------------------------------------

def test_the_articles_third_probability_is_truncated_not_rounded():
    p = rnnlib.softmax(ARTICLE)
    assert p.round(4).tolist() == [0.659, 0.2424, 0.0986]
    rows = ch.compare_printed(p, ch.ARTICLE_SOFTMAX_QUOTED)
    assert [r["verdict"] for r in rows] == ["agrees", "agrees", "truncated"]
    assert rows[2]["rounded"] == "0.10" and rows[2]["truncated"] == "0.09"
    # the sum cannot tell: correct rounding to 2, 3 and 2 decimals moves it by up to 0.0105
    # (the rounded values sum to 1.002), and the printed ones sum to 0.992, 0.008 from 1
    assert sum(float(r["rounded"]) for r in rows) == pytest.approx(1.002)
    assert abs(sum(float(v) for v in ch.ARTICLE_SOFTMAX_QUOTED) - 1) < 0.0105


def test_compare_printed_tells_a_wrong_value_apart():
    rows = ch.compare_printed([0.25, 0.75, 0.126], ("0.3", "0.74", "0.12"))
    assert [r["verdict"] for r in rows] == ["agrees", "wrong", "truncated"]
    with pytest.raises(ValueError, match="printed must be 2 strings"):
        ch.compare_printed([0.25, 0.75], ("0.3",))
    with pytest.raises(ValueError, match="printed must be 2 strings"):
        ch.compare_printed([0.25, 0.75], (0.3, 0.7))


def test_naive_softmax_overflows_where_each_dtype_does_and_keeps_the_dtype():
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(ch.naive_softmax(np.float32(100) + ARTICLE.astype(np.float32))).all()
        assert np.isfinite(ch.naive_softmax(100 + ARTICLE)).all()
        assert np.isnan(ch.naive_softmax(1000 + ARTICLE)).all()
    p32 = ch.naive_softmax(ARTICLE.astype(np.float32))
    assert p32.dtype == np.float32
    assert np.allclose(ch.naive_softmax(ARTICLE), rnnlib.softmax(ARTICLE), rtol=1e-15)


def test_softmax_overflow_rows_and_no_warning_escapes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = ch.softmax_overflow(ARTICLE, [0, 100, 1000, -1000])
    finite = {(r["shift"], r["dtype"]): r["finite"] for r in rows}
    assert finite == {(0.0, "float32"): True, (0.0, "float64"): True,
                      (100.0, "float32"): False, (100.0, "float64"): True,
                      (1000.0, "float32"): False, (1000.0, "float64"): False,
                      (-1000.0, "float32"): False, (-1000.0, "float64"): False}
    for r in rows:
        assert r["stable"].dtype == np.dtype(r["dtype"])
        assert np.allclose(r["stable"], rnnlib.softmax(ARTICLE), atol=1e-5)
    largest = {(r["shift"], r["dtype"]): r["largest_exp"] for r in rows}
    assert math.isinf(largest[100.0, "float32"]) and largest[-1000.0, "float64"] == 0.0
    assert largest[0.0, "float64"] == pytest.approx(math.exp(2.0))
    html = ch.overflow_table_html(rows)
    assert "[nan, nan, nan]" in html and "[0.6590, 0.2424, 0.0986]" in html
    assert ">inf<" in html and ">7.39<" in html
    with pytest.raises(ValueError, match=r"dtypes\[0\] must be one of \['float16', 'float32'"):
        ch.softmax_overflow(ARTICLE, [0], dtypes=("int32",))


# ---- temperature -----------------------------------------------------------------------------

def test_temperature_divides_the_logits():
    assert np.array_equal(ch.softmax_temperature(ARTICLE, 1.0), rnnlib.softmax(ARTICLE))
    assert np.allclose(ch.softmax_temperature(ARTICLE, 2.0), rnnlib.softmax(ARTICLE / 2))
    assert ch.softmax_temperature(ARTICLE, 0.01)[0] > 1 - 1e-12
    assert np.allclose(ch.softmax_temperature(ARTICLE, 1e6), 1 / 3, atol=1e-6)
    p = rnnlib.softmax(ARTICLE)   # temperature = a power of the probabilities, renormalised
    assert np.allclose(ch.softmax_temperature(ARTICLE, 2.0), p**0.5 / (p**0.5).sum())


@pytest.mark.parametrize("tau, error", [(0, ValueError), (-1.0, ValueError), ("1", TypeError),
                                        (np.inf, ValueError)])
def test_temperature_rejects_a_bad_tau(tau, error):
    with pytest.raises(error, match="tau must be"):
        ch.softmax_temperature(ARTICLE, tau)


def test_entropy():
    assert ch.entropy([1.0, 0.0, 0.0]) == 0.0
    assert ch.entropy(np.full(4, 0.25)) == pytest.approx(math.log(4))
    assert np.allclose(ch.entropy(np.array([[0.5, 0.5], [1.0, 0.0]])), [math.log(2), 0.0])


@property_settings
@given(seed=seeds, K=st.integers(2, 6))
def test_entropy_rises_with_the_temperature(seed, K):
    logits = np.random.default_rng(seed).standard_normal(K) * 3
    assume(np.ptp(logits) > 0.1)
    _, entropies = ch.temperature_sweep(logits, np.geomspace(0.1, 10, 30))
    assert np.all(np.diff(entropies) > 0)
    assert 0 <= entropies.min() and entropies.max() <= math.log(K)


def test_temperature_view_carries_the_lesson_as_text():
    html = ch.temperature_view(1.0)
    assert "tau = 1.00: entropy 0.8467 nats of at most log 3 = 1.0986" in html
    assert "0.6590" in html and "0.2424" in html and "0.0986" in html
    hot, cold = ch.temperature_view(5.0), ch.temperature_view(0.1)
    assert "largest probability is 0.3996" in hot and "largest probability is 1.0000" in cold
    assert ch.temperature_view(1.1) == ch.temperature_view(1.1000000000000001)


def test_temperature_widget_shows_the_view():
    pytest.importorskip("ipywidgets")
    box = ch.temperature_widget()
    (row,), output = box.children[:-1], box.children[-1]
    (slider,) = row.children
    assert slider.description == "tau" and slider.value == 1.0
    assert output.value == ch.temperature_view(1.0)
    slider.value = 2.5
    assert output.value == ch.temperature_view(2.5)


# ---- cross-entropy against squared error on a softmax output ---------------------------------

def test_softmax_jacobian_matches_finite_differences():
    o = np.random.default_rng(0).standard_normal(4)
    J = ch.softmax_jacobian(rnnlib.softmax(o))
    numeric = np.stack([finite_difference(lambda o: rnnlib.softmax(o)[i], {"o": o}, "o")
                        for i in range(4)])
    assert rel_error(J, numeric) < 1e-9
    assert np.allclose(J, J.T) and np.allclose(J.sum(axis=1), 0)


@gradient_settings
@given(seed=seeds, lead=st.sampled_from([(3,), (2, 3), (1,)]), K=st.integers(2, 5),
       reduction=st.sampled_from(["sum", "mean"]))
def test_softmax_mse_gradient(seed, lead, K, reduction):
    rng = np.random.default_rng(seed)
    logits, labels = 2 * rng.standard_normal(lead + (K,)), rng.integers(0, K, lead)
    loss, dlogits = ch.softmax_mse(logits, labels, reduction)
    onehot = np.eye(K)[labels]
    direct = 0.5 * np.sum((rnnlib.softmax(logits) - onehot) ** 2)
    assert loss == pytest.approx(direct / (1 if reduction == "sum" else np.prod(lead)))
    assert_gradients(lambda logits: ch.softmax_mse(logits, labels, reduction)[0],
                     {"logits": logits}, {"logits": dlogits})


def test_softmax_mse_checks_its_arguments():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, K\)"):
        ch.softmax_mse(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        ch.softmax_mse(np.zeros((2, 3)), np.array([0, 1]), "avg")


def test_confidently_wrong_gradients():
    cw = ch.confidently_wrong([0.0, 5.0, 10.0, 20.0])
    assert cw["p_true"][0] == pytest.approx(0.5)
    assert cw["ce_grad"][-1] == pytest.approx(math.sqrt(2), rel=1e-8)
    assert cw["mse_grad"][-1] < 1e-7 and np.all(np.diff(cw["mse_grad"]) < 0)
    assert cw["ce_loss"][-1] == pytest.approx(20.0, abs=1e-6)   # grows like the margin
    assert ch.confidently_wrong([3.0], K=4)["p_true"][0] == pytest.approx(1 / (math.exp(3) + 3))
    with pytest.raises(ValueError, match="K must be an integer >= 2"):
        ch.confidently_wrong([1.0], K=1)


# ---- BPTT in Goodfellow et al.'s notation ----------------------------------------------------

def sequence(seed, T, D, H, K):
    rng = np.random.default_rng(seed)
    return (random_params(rng, D, H, K), rng.standard_normal((T, 1, D)),
            rng.integers(0, K, (T, 1)))


def test_goodfellow_params_are_the_transposes():
    params = random_params(np.random.default_rng(0), 2, 3, 4)
    g = ch.goodfellow_params(params)
    assert g["U"].shape == (3, 2) and g["W"].shape == (3, 3) and g["V"].shape == (4, 3)
    assert g["b"].shape == (3, 1) and g["c"].shape == (4, 1)
    assert np.array_equal(g["W"], params["W_hh"].T)
    g["W"][0, 0] = 99.0
    assert params["W_hh"][0, 0] != 99.0   # new arrays, the argument is left as it was


@gradient_settings
@given(seed=seeds, T=st.integers(1, 5), D=size, H=size, K=st.integers(2, 5))
def test_goodfellow_bptt_equals_rnn_loss(seed, T, D, H, K):
    params, x, y = sequence(seed, T, D, H, K)
    loss, grads = ch.goodfellow_bptt(params, x, y)
    ref_loss, ref = rnnlib.rnn_loss(params, x, y, loss="cross_entropy")
    assert loss == pytest.approx(ref_loss, rel=1e-13)
    for key in PARAM_KEYS:
        assert grads[key].shape == params[key].shape
        assert rel_error(grads[key], ref[key]) < 1e-12, key


@pytest.mark.parametrize("T, wrong", [(1, set()), (2, {"W_xh", "b_h"}),
                                      (4, {"W_xh", "W_hh", "b_h"})])
def test_without_the_recurrent_term_only_the_output_layer_is_right(T, wrong):
    """T = 1: nothing comes back from a later step. T = 2: only da_1 changes, and W_hh's term
    at step 1 is h_0^T da_1 = 0 (h_0 = 0), so dW_hh is still right; from T = 3 on it is not."""
    params, x, y = sequence(3, T, 3, 4, 3)
    _, cut = ch.goodfellow_bptt(params, x, y, recurrent=False)
    _, full = rnnlib.rnn_loss(params, x, y, loss="cross_entropy")
    assert {k for k in PARAM_KEYS if rel_error(cut[k], full[k]) > 1e-6} == wrong
    assert all(rel_error(cut[k], full[k]) < 1e-12 for k in PARAM_KEYS if k not in wrong)


def test_goodfellow_bptt_checks_its_arguments():
    params, x, y = sequence(0, 3, 2, 3, 2)
    expected = r"x must have shape \(T, B, D\) = \(3, 1, D\), got shape \(3, 2, 2\)"
    with pytest.raises(ValueError, match=expected):
        ch.goodfellow_bptt(params, np.concatenate([x, x], axis=1), y)
    with pytest.raises(TypeError, match="recurrent must be True or False"):
        ch.goodfellow_bptt(params, x, y, recurrent=1)
    with pytest.raises(ValueError, match="params is missing"):
        ch.goodfellow_bptt({"W_xh": params["W_xh"]}, x, y)


def test_hidden_jacobian_is_diag_of_tanh_prime_times_W_hh_transposed():
    params, x, _ = sequence(1, 2, 3, 4, 2)
    h_prev = np.tanh(np.random.default_rng(1).standard_normal((1, 4)))
    J = ch.hidden_jacobian(params, x[0], h_prev)
    h_t = np.tanh(x[0] @ params["W_xh"] + h_prev @ params["W_hh"] + params["b_h"])
    assert np.allclose(J, np.diag(1 - h_t[0] ** 2) @ params["W_hh"].T, rtol=1e-15)
    assert rel_error(J, ch.hidden_jacobian(params, x[0], h_prev, eps=1e-6)) < 1e-9
    with pytest.raises(ValueError, match="eps must be > 0"):
        ch.hidden_jacobian(params, x[0], h_prev, eps=0.0)


# ---- quotes of rnnlib's source ---------------------------------------------------------------

@pytest.mark.parametrize("label", sorted(ch.BPTT_QUOTES))
def test_every_quoted_line_still_exists_in_rnnlib(label):
    """If rnnlib changes a quoted line, this fails (and so does the chapter's build)."""
    text = ch.quote(label)
    for source, fragment in ch.BPTT_QUOTES[label]:
        (line,) = ch.source_lines(source, fragment)
        assert fragment in line and line in text
        path = __import__("inspect").getsourcefile(source)
        assert line in open(path).read()


def test_source_lines_refuses_a_missing_or_ambiguous_fragment():
    assert ch.source_lines(rnnlib.rnn_backward, "dh_next = np.dot") == [
        "dh_next = np.dot(da_t, W_hh_T)  # da W_hh^T: dh_next of the step before"]
    with pytest.raises(ValueError, match="occurs on 0 lines of rnnlib/rnn.py, rnn_backward"):
        ch.source_lines(rnnlib.rnn_backward, "no such code")
    with pytest.raises(ValueError, match="'da' occurs on [0-9]+ lines of rnnlib/rnn.py, "
                                         "rnn_backward, not on exactly one"):
        ch.source_lines(rnnlib.rnn_backward, "da")
    with pytest.raises(TypeError, match="source must be a function or a module"):
        ch.source_lines("rnn_backward", "da")
    with pytest.raises(TypeError, match="each fragment must be a non-empty string"):
        ch.source_lines(rnnlib.rnn_backward, "")


def test_quote_names_the_file_and_function():
    text = ch.quote("eq-ch3-dh")
    assert text.startswith("rnnlib/activations.py:\n")
    assert "rnnlib/rnn.py, rnn_backward:\n    da = ACTIVATIONS[activation][1](h)" in text
    with pytest.raises(ValueError, match="label must be one of"):
        ch.quote("eq-nothing")


# ---- truncated BPTT --------------------------------------------------------------------------

def test_flat_gradient_order_and_errors():
    grads = {k: np.full((2,), i) for i, k in enumerate(PARAM_KEYS)}
    assert ch.flat_gradient(grads).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    with pytest.raises(ValueError, match="missing"):
        ch.flat_gradient({"W_xh": 1})


def test_truncation_sweep():
    rng = np.random.default_rng(0)
    x, y = datasets.delayed_echo(8, 3, 2, rng, classes=3)
    params = rnnlib.init_rnn_params(3, 5, 3, rng)
    sweep = ch.truncation_sweep(params, x, y, [1, 3, 4, 8, 9])
    assert sweep["boundaries"].tolist() == [7, 2, 1, 0, 0]
    assert np.all(sweep["error"][-2:] < 1e-14) and np.allclose(sweep["cosine"][-2:], 1)
    assert np.all(sweep["error"][:3] > 1e-3) and np.all(sweep["cosine"] <= 1 + 1e-12)
    assert np.all(sweep["error_recurrent"][:3] > sweep["error"][:3])
    assert np.all(sweep["cosine_recurrent"][:3] < sweep["cosine"][:3])
    assert np.all(sweep["error_output"] < 1e-13)   # no path through time: exact for every k
    full = rnnlib.rnn_loss(params, x, y, loss="cross_entropy", reduction="mean")[1]
    out = np.concatenate([full["W_hy"].ravel(), full["b_y"]])
    assert sweep["output_share"] == pytest.approx(np.linalg.norm(out)
                                                  / np.linalg.norm(ch.flat_gradient(full)))
    with pytest.raises(ValueError, match=r"ks\[0\] must be an integer >= 1"):
        ch.truncation_sweep(params, x, y, [0])


@property_settings
@given(seed=seeds, n=st.integers(1, 4), k=st.integers(1, 4), B=size, D=size)
def test_reset_chunks_round_trip_and_layout(seed, n, k, B, D):
    x = np.random.default_rng(seed).standard_normal((n * k, B, D))
    chunks = ch.reset_chunks(x, k)
    assert chunks.shape == (k, n * B, D)
    assert np.array_equal(chunks[:, 1 * B:2 * B] if n > 1 else chunks[:, :B],
                          x[k:2 * k] if n > 1 else x[:k])
    assert np.array_equal(ch.merge_chunks(chunks, n * k), x)


def test_reset_chunks_is_truncated_bptt_with_the_state_reset():
    """rnn_loss on the chunks == the sum over chunks of rnn_loss from h_0 = 0, loss and gradient."""
    rng = np.random.default_rng(2)
    x, y = datasets.delayed_echo(6, 2, 1, rng, classes=3)
    params = rnnlib.init_rnn_params(3, 4, 3, rng)
    loss, grads = rnnlib.rnn_loss(params, ch.reset_chunks(x, 3), ch.reset_chunks(y, 3),
                                  loss="cross_entropy")
    parts = [rnnlib.rnn_loss(params, x[s:s + 3], y[s:s + 3], loss="cross_entropy") for s in (0, 3)]
    assert loss == pytest.approx(parts[0][0] + parts[1][0], rel=1e-14)
    for key in PARAM_KEYS:
        assert np.allclose(grads[key], parts[0][1][key] + parts[1][1][key], rtol=1e-12, atol=1e-15)


def test_reset_chunks_errors():
    with pytest.raises(ValueError, match="T a multiple of k = 4"):
        ch.reset_chunks(np.zeros((6, 2, 1)), 4)
    with pytest.raises(ValueError, match="chunks must have shape"):
        ch.merge_chunks(np.zeros((4, 2, 1)), 6)


def test_echo_accuracy():
    rng = np.random.default_rng(4)
    x, y = datasets.delayed_echo(6, 50, 1, rng, classes=3)
    params = rnnlib.init_rnn_params(3, 4, 3, rng)
    acc = ch.echo_accuracy(params, x, y, 1)
    pred = rnnlib.rnn_predict(params, x).argmax(-1)
    assert acc == np.mean(pred[1:] == y[1:])
    reset = ch.echo_accuracy(params, x, y, 1, reset_every=2)
    pred = np.concatenate([rnnlib.rnn_predict(params, x[s:s + 2]) for s in (0, 2, 4)]).argmax(-1)
    assert reset == np.mean(pred[1:] == y[1:])
    by_position = ch.echo_accuracy(params, x, y, 1, reset_every=2, chunk=2)
    right = pred[1:] == y[1:]   # steps 2..6: positions 2, 1, 2, 1, 2 of chunks of 2
    assert by_position.tolist() == [right[[1, 3]].mean(), right[[0, 2, 4]].mean()]
    with pytest.raises(ValueError, match=r"delay must be an integer in \[0, 5\]"):
        ch.echo_accuracy(params, x, y, 6)
    with pytest.raises(ValueError, match=r"chunk must be an integer in \[1, 5\]"):
        ch.echo_accuracy(params, x, y, 1, chunk=6)


# ---- what full and truncated BPTT cost ---------------------------------------------------------

def test_peak_memory_sees_numpy_arrays_and_leaves_tracing_as_it_was():
    assert ch.peak_memory(lambda: np.ones(100_000)) >= 800_000
    assert not tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        assert ch.peak_memory(lambda: np.ones(50_000)) >= 400_000
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()
    with pytest.raises(TypeError, match="fn must be a function"):
        ch.peak_memory(3)


def test_best_time():
    assert ch.best_time(lambda: None, repeats=2) >= 0
    with pytest.raises(ValueError, match="repeats must be an integer >= 1"):
        ch.best_time(lambda: None, repeats=0)


def test_full_bptt_memory_grows_with_T_and_truncated_stays_flat():
    cost = ch.bptt_cost([32, 128, 512], 16, np.random.default_rng(0), B=4, H=16, D=2, K=2,
                        repeats=1)
    assert cost["T"].tolist() == [32, 128, 512]
    full, truncated = cost["full_bytes"], cost["truncated_bytes"]
    assert full[2] / full[0] > 0.9 * 16 and full[1] / full[0] > 0.9 * 4
    assert truncated.max() / truncated.min() < 1.25 and truncated.max() < full[0]
    html = ch.cost_table_html(cost)
    assert html.count("<tr>") == 4 and "truncated: peak MiB" in html
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        ch.bptt_cost([8], 4, 0)


def test_printed_table_html():
    html = ch.printed_table_html(ch.compare_printed(rnnlib.softmax(ARTICLE),
                                                    ch.ARTICLE_SOFTMAX_QUOTED))
    assert "truncated" in html and "0.098566" in html and html.count("<tr>") == 4


def test_importing_the_chapter_pulls_in_no_plotting_or_widget_library():
    code = ("import sys, rnnlib.chapters.softmax_bptt; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
