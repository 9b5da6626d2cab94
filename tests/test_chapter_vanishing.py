"""Chapter 7's helpers (rnnlib.chapters.vanishing) and the claims of the chapter, on other seeds
and small sizes: the per-step gradients against finite differences, the rates within the bound,
the counterexample, the lag task and its saved sweep, Pascanu's cliff, the widget's view."""
import numpy as np
import pytest

import rnnlib
from rnnlib import datasets
from rnnlib.chapters import vanishing as va


def suffix_loss(x, params, dh_out, k, h_k, activation):
    """sum_{t >= k} <dh_out_t, h_t> with h_k given: the loss as a function of h_k (1-based k)."""
    value = float(np.sum(dh_out[k - 1] * h_k))
    if k < x.shape[0]:
        h, _ = rnnlib.rnn_forward(x[k:], params, h_k, activation)
        value += float(np.sum(dh_out[k:] * h))
    return value


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_hidden_gradients_against_finite_differences(activation):
    rng = np.random.default_rng(5)
    T, B, D, H = 5, 2, 3, 4
    x = rng.standard_normal((T, B, D))
    params = {"W_xh": rng.standard_normal((D, H)), "W_hh": 0.8 * rng.standard_normal((H, H)),
              "b_h": rng.standard_normal(H)}
    dh_out = rng.standard_normal((T, B, H))
    h, cache = rnnlib.rnn_forward(x, params, activation=activation)
    dh = va.hidden_gradients(dh_out, cache)
    for k in range(1, T + 1):
        hk = h[k - 1].copy()
        numeric = rnnlib.numerical_gradient(
            lambda: suffix_loss(x, params, dh_out, k, hk, activation), hk)
        assert rnnlib.relative_error(dh[k - 1], numeric) <= 1e-7


def test_hidden_gradients_continue_into_rnn_backwards_dh0():
    x, params, h0, dh_out = va.recurrent_setup("tanh", 1.0, 12, seed=3, H=6, B=3)
    dh_out = dh_out + np.random.default_rng(1).standard_normal(dh_out.shape)
    h, cache = rnnlib.rnn_forward(x, params, h0)
    dh = va.hidden_gradients(dh_out, cache)
    _, dh0, _ = rnnlib.rnn_backward(dh_out, cache)
    assert np.allclose(dh0, (dh[0] * (1 - h[0] ** 2)) @ params["W_hh"].T, rtol=1e-12, atol=1e-15)


def test_recurrent_setup_has_every_singular_value_lambda_and_a_fixed_point():
    for act, (a_star, h_star) in va.OPERATING_POINT.items():
        x, params, h0, dh_out = va.recurrent_setup(act, 1.7, 5, seed=2, H=5, B=2)
        assert np.allclose(np.linalg.svd(params["W_hh"], compute_uv=False), 1.7)
        assert np.allclose(h0 @ params["W_hh"] + params["b_h"], a_star)
        assert np.allclose(np.linalg.norm(dh_out[-1], axis=1), 1) and not dh_out[:-1].any()


@pytest.mark.parametrize("seed", [3, 4])
def test_fitted_rates_within_the_bound_and_on_it_below_one(seed):
    for act, g, lam, bound_rate, rate in va.rate_table(T=60, seed=seed):
        assert rate <= bound_rate + 1e-6
        if lam * g < 1:
            assert abs(rate - bound_rate) < 0.01
        if lam * g > 1:
            assert rate < bound_rate - 0.01


@pytest.mark.parametrize("seed", [3, 4])
def test_measured_ratio_never_above_the_bound(seed):
    for act in va.NORM_ACTIVATIONS:
        for lg in (0.7, 1.0, 1.3):
            run = va.gradient_norms(act, lg / va.GAMMA[act], 30, seed)
            assert np.all(run.ratio <= run.bound * (1 + 1e-10))


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_lambda_above_one_and_still_vanishing(seed):
    run = va.gradient_norms("tanh", 1.5, 60, seed, input_scale=1.0)
    assert run.rate < -0.1 and run.ratio[-1] < 1e-5 and run.saturation < 0.5
    calm = va.gradient_norms("tanh", 1.5, 60, seed, input_scale=0.01)
    assert calm.rate > 0 and calm.ratio[-1] > 1 and calm.saturation > run.saturation + 0.2


@pytest.mark.parametrize("seed", [3, 4])
def test_above_one_largest_at_h1_but_below_the_bound_from_the_first_steps(seed):
    for act in va.NORM_ACTIVATIONS:
        above = va.gradient_norms(act, 1.1 / va.GAMMA[act], 60, seed)
        below = va.gradient_norms(act, 0.9 / va.GAMMA[act], 60, seed)
        assert above.ratio.argmax() == len(above.ratio) - 1 and above.ratio[-1] > 1
        assert above.ratio[5] < 0.85 * above.bound[5]
        assert above.saturation < below.saturation - 0.03 and below.saturation > 0.99


@pytest.mark.parametrize("seed", [3, 4])
def test_the_lag_tasks_untrained_network_loses_the_early_terms_though_lambda_1_is_above_one(seed):
    rng = np.random.default_rng(seed)
    x, y = datasets.first_symbol_recall(va.LAGS[-1], 64, rng)
    p = rnnlib.init_rnn_params(x.shape[2], 16, 4, rng)
    h, cache = rnnlib.rnn_forward(x, p)
    o, out_cache = rnnlib.output_forward(h[-1], p)
    dh_out = np.zeros_like(h)
    dh_out[-1] = rnnlib.output_backward(rnnlib.softmax_cross_entropy(o, y, "mean")[1], out_cache)[0]
    da = va.hidden_gradients(dh_out, cache) * (1 - h ** 2)
    h_prev = np.concatenate([np.zeros_like(h[:1]), h[:-1]])
    terms = np.linalg.norm(np.einsum("tbi,tbj->tij", h_prev, da), axis=(1, 2))
    assert terms[1] / terms[-1] < 1e-3
    assert np.linalg.svd(p["W_hh"], compute_uv=False)[0] > 1 > np.abs(np.linalg.eigvals(p["W_hh"])).max()


def test_first_symbol_recall():
    x, y = datasets.first_symbol_recall(5, 7, np.random.default_rng(0), symbols=3)
    assert x.shape == (6, 7, 3) and y.shape == (7,)
    assert np.array_equal(x.sum(axis=2), np.ones((6, 7)))
    assert np.array_equal(x[0].argmax(axis=1), y)
    x, _ = datasets.first_symbol_recall(50, 200, np.random.default_rng(1), symbols=3)
    assert set(np.unique(x[1:].argmax(axis=2))) == {0, 1, 2}   # distractors from the same symbols


def test_train_lag_learns_a_short_lag_and_runs_the_gated_cells():
    assert va.train_lag(2, seed=5).accuracy >= va.SUCCESS
    for cell in ("lstm", "gru"):
        run = va.train_lag(3, seed=1, cell=cell, steps=3, H=4)
        assert 0 <= run.accuracy <= 1 and run.losses.shape == (4,) and run.diverged == -1
        assert run.params["W_hh"].shape[1] == (4 if cell == "lstm" else 3) * 4


def test_the_saved_sweep_is_what_train_lag_gives():
    sweep = va.saved_sweep()
    assert sweep["lags"] == list(va.LAGS) and sweep["seeds"] == list(va.SEEDS)
    assert sweep["success"] == va.SUCCESS and sweep["clip"] == va.CLIP
    i = sweep["lags"].index(8)
    assert va.train_lag(8, 1).accuracy == sweep["plain"][i][1]
    assert va.train_lag(8, 2, max_norm=va.CLIP).accuracy == sweep["clipped"][i][2]
    rates = np.mean(np.array(sweep["plain"]) >= sweep["success"], axis=1)
    assert rates[0] == 1.0 and rates[-1] <= 1 / 3


@pytest.mark.parametrize("w, b", [(5.0, -2.5), (8.0, -4.0), (1.0, 0.3), (-1.5, 1.0)])
def test_cliff_gradient_against_finite_differences(w, b):
    loss, dw, db = va.cliff_loss(w, b)
    p = np.array([w, b])
    numeric = rnnlib.numerical_gradient(lambda: float(va.cliff_loss(p[0], p[1])[0]), p)
    assert rnnlib.relative_error(np.array([dw, db]), numeric) <= 1e-7
    grid = va.cliff_loss(np.array([[w]]), np.array([[b]]))
    assert np.allclose([g[0, 0] for g in grid], (loss, dw, db), rtol=1e-14)


def test_cliff_clipping_bounds_the_steps_and_keeps_the_direction():
    lr, c = 3.0, 0.25
    unclipped, lost = va.cliff_descent(6.0, -3.5, lr, 100, "none", c)
    clipped, kept = va.cliff_descent(6.0, -3.5, lr, 100, "norm", c)
    assert np.linalg.norm(np.diff(clipped, axis=0), axis=1).max() <= lr * c * (1 + 1e-12)
    assert np.linalg.norm(np.diff(unclipped, axis=0), axis=1).max() > 5 * lr * c
    assert kept[-1] < 0.01 < 0.05 < lost[-1]
    for w, b in unclipped[:-1]:
        _, dw, db = va.cliff_loss(w, b)
        g = {"w": np.array(dw), "b": np.array(db)}
        u = np.array([dw, db])
        v = np.array([rnnlib.clip_grad_norm(g, c)[0][k] for k in "wb"])
        assert abs(u @ v - np.linalg.norm(u) * np.linalg.norm(v)) <= 1e-9 * np.linalg.norm(u) ** 2


def test_norms_view_and_widget():
    html = va.norms_view(radius=9, activation=1, T=20)
    assert "<img" in html and "sigmoid" in html and "fitted rate" in html
    assert va.norms_view() == va.norms_view(10, 0, 40)
    with pytest.raises(ValueError, match="radius"):
        va.norms_view(radius=20)
    assert set(va.NORM_SLIDERS) == {"radius", "activation", "T"}


def test_figures_draw():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for fig in (va.draw_norms(T=10), va.draw_lag(), va.draw_cliff(steps=3, n=11)):
        assert fig.axes
        plt.close(fig)
