"""Chapter 2's helpers: free orbits and their Jacobians, the unrolled network of T weight copies,
the path terms of one loss, the step-through frames and the widget's view."""
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from rnnlib.chapters import display
from rnnlib.chapters import unrolling as un

from helpers import (activations, assert_gradients, gradient_settings, property_settings,
                     random_params, seeds, size)

RNN_KEYS = ("W_xh", "W_hh", "b_h")


def sequence(rng, T, B, D, H):
    return rng.standard_normal((T, B, D)), 0.5 * rng.standard_normal((B, H))


# ---- the recurrence as a dynamical system ----------------------------------------------------

@given(seed=seeds, T=size, B=size, H=size, activation=activations)
@property_settings
def test_free_orbits_are_the_map_iterated(seed, T, B, H, activation):
    rng = np.random.default_rng(seed)
    W_hh, h0 = rng.standard_normal((H, H)), rng.standard_normal((B, H))
    f = rnnlib.ACTIVATIONS[activation][0]
    expected = [h0]
    for _ in range(T):
        expected.append(f(expected[-1] @ W_hh))
    orbits = un.free_orbits(W_hh, h0, T, activation)
    assert orbits.shape == (T + 1, B, H)
    np.testing.assert_allclose(orbits, np.stack(expected), rtol=1e-12, atol=1e-14)


def test_free_orbits_check_their_arguments():
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\) = \(3, 2\), got shape \(3, 4\) \(H = 2 from W_hh\)"):
        un.free_orbits(np.eye(2), np.zeros((3, 4)), 5)
    with pytest.raises(ValueError, match="W_hh must have shape"):
        un.free_orbits(np.ones((2, 3)), np.zeros((1, 2)), 5)
    with pytest.raises(ValueError, match="T must be an integer >= 1, got 0"):
        un.free_orbits(np.eye(2), np.zeros((1, 2)), 0)
    with pytest.raises(ValueError, match="activation must be one of"):
        un.free_orbits(np.eye(2), np.zeros((1, 2)), 3, "softplus")


@given(seed=seeds, T=size, B=size, H=size, activation=activations)
@gradient_settings
def test_step_jacobians_are_the_derivative_of_one_step(seed, T, B, H, activation):
    """J_t[b] = dh_t[b]/dh_{t-1}[b], checked column by column with centred differences."""
    rng = np.random.default_rng(seed)
    W_hh = rng.standard_normal((H, H)) / np.sqrt(H)
    orbits = un.free_orbits(W_hh, rng.standard_normal((B, H)), T, activation)
    J = un.step_jacobians(orbits[1:], W_hh, activation)
    assert J.shape == (T, B, H, H)
    f = rnnlib.ACTIVATIONS[activation][0]
    eps = 1e-6
    for t in range(T):
        a = orbits[t] @ W_hh
        if activation == "relu" and np.abs(a).min() < 1e-3:
            continue  # no derivative at the kink
        for m in range(H):
            step = np.zeros(H)
            step[m] = eps
            column = (f((orbits[t] + step) @ W_hh) - f((orbits[t] - step) @ W_hh)) / (2 * eps)
            np.testing.assert_allclose(J[t, :, :, m], column, rtol=1e-6, atol=1e-8)


def test_jacobian_product_norms_are_the_norms_of_the_products():
    rng = np.random.default_rng(0)
    J = rng.standard_normal((4, 2, 3, 3))
    norms = un.jacobian_product_norms(J)
    assert norms.shape == (5, 2)
    np.testing.assert_array_equal(norms[0], [1, 1])
    for b in range(2):
        product = J[3, b] @ J[2, b] @ J[1, b] @ J[0, b]
        assert norms[4, b] == pytest.approx(np.linalg.norm(product, 2), rel=1e-12)


def test_the_three_regimes():
    """What the chapter asserts of the orbit figure, for other initial states too."""
    rng = np.random.default_rng(1)
    h0 = rng.uniform(-0.95, 0.95, (20, 2))
    h0 = h0[np.abs(h0).min(axis=1) > 0.05]  # clear of the axes (the saturating corners)
    T = 150
    t = np.arange(T + 1)[:, None]
    contracting = un.free_orbits(un.ORBIT_REGIMES["contracting"], h0, T)
    radius = np.linalg.norm(contracting, axis=2)
    assert np.all(radius <= 0.6**t * radius[0] * (1 + 1e-12))
    oscillating = un.free_orbits(un.ORBIT_REGIMES["oscillating"], h0, T)
    tail = np.linalg.norm(oscillating[-30:], axis=2)
    assert tail.min() > 0.8 and tail.max() < 0.95
    saturating = un.free_orbits(un.ORBIT_REGIMES["saturating"], h0, T)
    assert np.all(np.sign(saturating[-1]) == np.sign(h0))
    assert np.all(np.abs(saturating[-1]) > 0.95)
    memory = un.jacobian_product_norms(
        un.step_jacobians(oscillating[1:], un.ORBIT_REGIMES["oscillating"]))
    assert memory.min() > 0.3


# ---- the unrolled network --------------------------------------------------------------------

def test_unrolled_network_copies_are_independent():
    params = random_params(np.random.default_rng(0), 2, 3, 2)
    before = {k: v.copy() for k, v in params.items()}
    copies = un.unrolled_network(params, 3)
    assert len(copies) == 3 and all(set(c) == set(RNN_KEYS) for c in copies)
    copies[1]["W_hh"][0, 0] += 1.0
    assert copies[0]["W_hh"][0, 0] == copies[2]["W_hh"][0, 0] == params["W_hh"][0, 0]
    assert all(np.array_equal(params[k], before[k]) for k in params)


@given(seed=seeds, T=size, B=size, D=size, H=size, activation=activations)
@property_settings
def test_copies_reproduce_rnn_forward_and_backward(seed, T, B, D, H, activation):
    rng = np.random.default_rng(seed)
    params = random_params(rng, D, H, 1)
    x, h0 = sequence(rng, T, B, D, H)
    dh_out = rng.standard_normal((T, B, H))
    h, cache = rnnlib.rnn_forward(x, params, h0, activation)
    h_copies, caches = un.copies_forward(x, un.unrolled_network(params, T), h0, activation)
    np.testing.assert_allclose(h_copies, h, rtol=0, atol=1e-12)
    dx, dh0, grads = rnnlib.rnn_backward(dh_out, cache)
    dx_c, dh0_c, copy_grads = un.copies_backward(dh_out, caches)
    assert len(copy_grads) == T
    np.testing.assert_allclose(dx_c, dx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh0_c, dh0, rtol=1e-10, atol=1e-12)
    for k in RNN_KEYS:
        np.testing.assert_allclose(sum(g[k] for g in copy_grads), grads[k], rtol=1e-10,
                                   atol=1e-12)


@given(seed=seeds, T=st.integers(1, 4), B=size, D=size, H=size)
@gradient_settings
def test_each_copys_gradient_is_the_derivative_for_that_copy_alone(seed, T, B, D, H):
    """Copies with different values; every array of every copy, x and h0 against finite
    differences of L = sum(h * dh_out)."""
    rng = np.random.default_rng(seed)
    copies = [{k: v for k, v in random_params(rng, D, H, 1).items() if k in RNN_KEYS}
              for _ in range(T)]
    x, h0 = sequence(rng, T, B, D, H)
    dh_out = rng.standard_normal((T, B, H))
    _, caches = un.copies_forward(x, copies, h0)
    dx, dh0, copy_grads = un.copies_backward(dh_out, caches)
    arrays = {"x": x, "h0": h0, **{f"{k}_{t}": c[k] for t, c in enumerate(copies) for k in RNN_KEYS}}

    def loss(x, h0, **flat):
        rebuilt = [{k: flat[f"{k}_{t}"] for k in RNN_KEYS} for t in range(T)]
        return np.sum(un.copies_forward(x, rebuilt, h0)[0] * dh_out)

    analytic = {"x": dx, "h0": dh0,
                **{f"{k}_{t}": g[k] for t, g in enumerate(copy_grads) for k in RNN_KEYS}}
    assert_gradients(loss, arrays, analytic)


def test_copies_forward_with_different_copies_steps_through_them():
    rng = np.random.default_rng(3)
    copies = [{k: v for k, v in random_params(rng, 2, 3, 1).items() if k in RNN_KEYS}
              for _ in range(3)]
    x, h0 = sequence(rng, 3, 2, 2, 3)
    h, caches = un.copies_forward(x, copies, h0)
    h_prev = h0
    for t in range(3):
        h_prev = np.tanh(x[t] @ copies[t]["W_xh"] + h_prev @ copies[t]["W_hh"] + copies[t]["b_h"])
        np.testing.assert_allclose(h[t], h_prev, rtol=1e-13)
        assert caches[t].W_hh is not caches[(t + 1) % 3].W_hh


def test_copies_check_their_arguments():
    rng = np.random.default_rng(0)
    params = random_params(rng, 2, 3, 1)
    copies = un.unrolled_network(params, 3)
    x, h0 = sequence(rng, 3, 2, 2, 3)
    with pytest.raises(ValueError, match="copies must hold one parameter dict per step, T = 3 "
                                         "from x, got 2"):
        un.copies_forward(x, copies[:2], h0)
    bad = [dict(c) for c in copies]
    bad[1]["W_hh"] = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"copies\[1\]\['W_hh'\] must have shape"):
        un.copies_forward(x, bad, h0)
    with pytest.raises(ValueError, match=r"copies\[2\] is missing \['b_h'\]"):
        un.copies_forward(x, [*copies[:2], {"W_xh": params["W_xh"], "W_hh": params["W_hh"]}], h0)
    with pytest.raises(TypeError, match="copies must be a non-empty list"):
        un.copies_forward(x, params, h0)
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\) = \(2, 3\)"):
        un.copies_forward(x, copies, np.zeros((2, 4)))
    _, caches = un.copies_forward(x, copies, h0)
    with pytest.raises(ValueError, match=r"dh_out must have shape \(T, B, H\) = \(3, 2, 3\)"):
        un.copies_backward(np.zeros((2, 2, 3)), caches)
    with pytest.raises(TypeError, match=r"caches\[1\] must be the cache returned by rnn_step_forward"):
        un.copies_backward(np.zeros((3, 2, 3)), [caches[0], "cache", caches[2]])
    with pytest.raises(TypeError, match="caches must be the list of step caches"):
        un.copies_backward(np.zeros((3, 2, 3)), None)
    with pytest.raises(ValueError, match="T must be an integer >= 1"):
        un.unrolled_network(params, 0)


def test_parameter_counts():
    params = rnnlib.init_rnn_params(1, 8, 1, np.random.default_rng(0))
    assert un.parameter_count(params) == 89 == un.parameter_counts(5, 1, 8, 1)["rnn"]
    assert un.parameter_counts(5, 1, 8, 1)["copies"] == 5 * 89
    assert un.parameter_counts(1200, D=3, H=4, K=2) == {"rnn": 12 + 16 + 4 + 8 + 2,
                                                        "copies": 1200 * 42}
    with pytest.raises(ValueError, match="H must be an integer >= 1, got 0"):
        un.parameter_counts(3, 1, 0, 1)
    with pytest.raises(TypeError, match="params must be a dict"):
        un.parameter_count([1, 2])


# ---- the path terms --------------------------------------------------------------------------

@given(seed=seeds, T=st.integers(1, 5), B=size, D=size, H=size, K=size, activation=activations,
       data=st.data())
@property_settings
def test_path_terms_sum_to_bptt_of_one_loss(seed, T, B, D, H, K, activation, data):
    t = data.draw(st.integers(1, T))
    rng = np.random.default_rng(seed)
    params = random_params(rng, D, H, K)
    x, h0 = sequence(rng, T, B, D, H)
    y = rng.standard_normal((T, B, K))
    terms = un.path_terms(params, x, y, h0, t, activation)
    assert terms.dh.shape == (t, B, H) and terms.W_hh.shape == (t, H, H)
    assert terms.W_xh.shape == (t, D, H) and terms.jacobians.shape == (t, B, H, H)
    h, cache = rnnlib.rnn_forward(x[:t], params, h0, activation)
    o, _ = rnnlib.output_forward(h[-1], params)
    dh_out = np.zeros_like(h)
    dh_out[-1] = (o - y[t - 1]) @ params["W_hy"].T
    _, _, grads = rnnlib.rnn_backward(dh_out, cache)
    for k in RNN_KEYS:
        np.testing.assert_allclose(getattr(terms, k).sum(axis=0), grads[k], rtol=1e-9,
                                   atol=1e-12)
    # term k is the gradient of the copy used at step k alone
    _, caches = un.copies_forward(x[:t], un.unrolled_network(params, t), h0, activation)
    _, _, copy_grads = un.copies_backward(dh_out, caches)
    for k in range(t):
        np.testing.assert_allclose(terms.W_hh[k], copy_grads[k]["W_hh"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(terms.W_xh[k], copy_grads[k]["W_xh"], rtol=1e-9, atol=1e-12)


def test_path_terms_gradient_check():
    """dL_t/dW_hh as the sum of the terms, and dL_t/dh_k, against finite differences."""
    rng = np.random.default_rng(7)
    params = random_params(rng, 2, 3, 2)
    x, h0 = sequence(rng, 4, 1, 2, 3)
    y = rng.standard_normal((4, 1, 2))
    terms = un.path_terms(params, x, y, h0, t=4)

    def loss(W_hh, W_xh, b_h):
        p = {**params, "W_hh": W_hh, "W_xh": W_xh, "b_h": b_h}
        h, _ = rnnlib.rnn_forward(x, p, h0)
        o, _ = rnnlib.output_forward(h[3], p)
        return 0.5 * np.sum((o - y[3]) ** 2)

    arrays = {k: params[k] for k in RNN_KEYS}
    assert_gradients(loss, arrays, {k: getattr(terms, k).sum(axis=0) for k in RNN_KEYS})

    def loss_from_state(h1):  # L_4 as a function of h_1, the later steps recomputed
        h, _ = rnnlib.rnn_forward(x[1:], params, h1)
        o, _ = rnnlib.output_forward(h[2], params)
        return 0.5 * np.sum((o - y[3]) ** 2)

    h, _ = rnnlib.rnn_forward(x, params, h0)
    assert_gradients(loss_from_state, {"h1": h[0]}, {"h1": terms.dh[0]})


def test_path_terms_zero_initial_state_and_arguments():
    rng = np.random.default_rng(2)
    params = random_params(rng, 2, 3, 2)
    x = rng.standard_normal((4, 1, 2))
    y = rng.standard_normal((4, 1, 2))
    terms = un.path_terms(params, x, y)
    assert np.all(terms.W_hh[0] == 0) and np.abs(terms.W_xh[0]).max() > 0
    with pytest.raises(ValueError, match=r"t must be an integer in \[1, 4\], got 5"):
        un.path_terms(params, x, y, t=5)
    with pytest.raises(ValueError, match=r"y must have shape \(T, B, K\) = \(4, 1, 2\)"):
        un.path_terms(params, x, y[:3])
    with pytest.raises(ValueError, match=r"params is missing \['W_hy', 'b_y'\]"):
        un.path_terms({k: params[k] for k in RNN_KEYS}, x, y)


def test_step_ratios_and_their_bounds():
    rng = np.random.default_rng(5)
    params = random_params(rng, 2, 3, 2)
    x, h0 = sequence(rng, 30, 1, 2, 3)
    y = rng.standard_normal((30, 1, 2))
    for W, activation in ((un.with_singular_values(1.5, 3, rng), "tanh"),
                          (un.with_eigenvalues([1.1, 0.5, -0.3], rng), "identity")):
        terms = un.path_terms({**params, "W_hh": W}, 0.3 * x, y, h0, activation=activation)
        ratios, J_norms, bounds = un.step_ratios(terms, W)
        assert ratios.shape == J_norms.shape == bounds.shape == (29,)
        assert np.all(ratios <= J_norms * (1 + 1e-12)) and np.all(J_norms <= bounds * (1 + 1e-12))
    assert np.abs(ratios[:10] / 1.1 - 1).max() < 1e-3  # linear, far from the loss: rho
    sizes = un.term_sizes(terms)
    np.testing.assert_allclose(ratios, sizes["dh"][:-1] / sizes["dh"][1:])
    with pytest.raises(TypeError, match="terms must be the PathTerms returned by path_terms"):
        un.step_ratios((1, 2), W)
    with pytest.raises(ValueError, match=r"W_hh must have shape \(H, H\) = \(3, 3\)"):
        un.step_ratios(terms, np.eye(2))


def test_matrices_with_given_eigenvalues_and_singular_values():
    rng = np.random.default_rng(0)
    W = un.with_eigenvalues([0.9, 0.5, -0.3], rng)
    np.testing.assert_allclose(np.sort(np.linalg.eigvals(W).real), [-0.3, 0.5, 0.9], atol=1e-12)
    assert np.linalg.norm(W, 2) > 0.9
    Q = un.with_singular_values(1.5, 4, rng)
    np.testing.assert_allclose(np.linalg.svd(Q, compute_uv=False), 1.5, rtol=1e-12)
    with pytest.raises(ValueError, match=r"gain must be > 0, got -1.0"):
        un.with_singular_values(-1.0, 3, rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        un.with_eigenvalues([0.5], 1)


def test_path_terms_table():
    rng = np.random.default_rng(0)
    params = random_params(rng, 2, 3, 2)
    x, h0 = sequence(rng, 4, 1, 2, 3)
    terms = un.path_terms(params, x, rng.standard_normal((4, 1, 2)), h0)
    table = un.path_terms_html(terms)
    sizes = un.term_sizes(terms)
    assert table.count("<tr>") == 5
    for name in ("dh", "W_hh", "W_xh"):
        assert all(f"{value:.4g}" in table for value in sizes[name])


# ---- the step-through animation --------------------------------------------------------------

def scalar_example(T=3):
    params = {"W_xh": np.array([[0.5]]), "W_hh": np.array([[0.3]]), "b_h": np.array([0.1]),
              "W_hy": np.array([[0.7]]), "b_y": np.array([0.2])}
    x = np.array([0.5, 0.7, 0.2, -0.4][:T]).reshape(T, 1, 1)
    y = np.array([0.8, 0.9, 0.4, 0.1][:T]).reshape(T, 1, 1)
    return params, x, y


@pytest.mark.parametrize("T", [1, 3, 4])
def test_step_through_frames_show_the_right_numbers(T):
    params, x, y = scalar_example(T)
    frames, shown = un.step_through_frames(params, x, y)
    assert len(frames) == 4 * T + 2
    loss, grads = rnnlib.rnn_loss(params, x, y)
    assert sum(shown[f"L_{t}"] for t in range(1, T + 1)) == pytest.approx(loss, rel=1e-12)
    for k in grads:
        assert shown["d" + k] == pytest.approx(grads[k].item(), rel=1e-12, abs=1e-15)
    h = rnnlib.rnn_forward(x, params)[0][:, 0, 0]
    o = 0.7 * h + 0.2
    da_next = 0.0
    for t in range(T, 0, -1):  # dh_t = do_t W_hy + da_{t+1} W_hh, by hand
        dh = (o[t - 1] - y[t - 1, 0, 0]) * 0.7 + da_next * 0.3
        assert shown[f"dh_{t}"] == pytest.approx(dh, rel=1e-12)
        da_next = dh * (1 - h[t - 1] ** 2)
    edges = {(s, t) for s, t, _ in display.unrolled_graph(T).edges}
    for frame in frames:
        for path in frame.paths:
            for a, b in zip(path, path[1:]):
                assert (a, b) in edges or (b, a) in edges, (a, b)
    forward, backward = frames[:3 * T + 1], frames[3 * T + 1:]
    assert all(not f.grads for f in forward) and all(f.grads for f in backward)
    # backward frame of step t: dh_t's two parts, da_t, copy t's term and the running sum
    running = 0.0
    for frame, t in zip(backward, range(T, 0, -1)):
        assert frame.copy == t
        assert shown[f"dh_{t}"] == pytest.approx(shown[f"dh_out_{t}"] + shown[f"dh_next_{t}"])
        assert shown[f"dW_hh_{t}"] == pytest.approx(shown[f"h_{t - 1}"] * shown[f"da_{t}"])
        running += shown[f"dW_hh_{t}"]
        assert frame.grads["dW_hh"] == f"{running + 0.0:+.4f}"
        assert f"dW_hh_{t}" in frame.grads and f"da_{t}" in frame.grads
    assert shown["dh_next_" + str(T)] == 0 and frames[-1].copy == 0
    assert running == pytest.approx(shown["dW_hh"], rel=1e-12)
    assert frames[-1].values[f"L_{T}"] == f"{shown[f'L_{T}']:.4f}"
    assert f"{shown['dW_hh']:.4f}" in frames[-1].title


def test_step_through_frames_need_one_unit():
    params, x, y = scalar_example()
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, D\) = \(3, 1, 1\), got shape \(3, 2, 1\) \(B = 1 from a one-unit network\)"):
        un.step_through_frames(params, np.zeros((3, 2, 1)), y)


def test_step_through_animation_draws_every_frame():
    pytest.importorskip("matplotlib")
    params, x, y = scalar_example(2)
    anim = un.step_through_animation(params, x, y, dpi=30)
    frames, _ = un.step_through_frames(params, x, y)
    html = anim.to_jshtml(default_mode="once")
    assert html.count("data:image/png;base64,") == len(frames)
    assert anim._fig.texts[0].get_text() == frames[-1].title
    with pytest.raises(ValueError, match="dpi must be an integer >= 10, got 0"):
        un.step_through_animation(params, x, y, dpi=0)


# ---- the widget ------------------------------------------------------------------------------

@pytest.mark.parametrize("T", [1, 3, 8])
def test_unrolled_view_carries_the_lesson_as_text(T):
    pytest.importorskip("matplotlib")
    view = un.unrolled_view(T)
    counts = un.parameter_counts(T, **un.WIDGET_SIZES)
    assert view.count('<img alt="figure"') == 1
    assert f"<td style=\"text-align:right;padding:0.15em 0.5em\">{T}</td>" in view
    assert f"{counts['rnn']}, for every T" in view and f"= {counts['copies']}" in view
    assert view.count(">yes<") == 2 and ">NO<" not in view


def test_unrolled_view_checks_its_argument():
    with pytest.raises(ValueError, match=r"T must be an integer in \[1, 12\], got 13"):
        un.unrolled_view(13)


def test_widget_shows_the_view_of_the_slider():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    box = un.unrolled_widget()
    (slider,), output = box.children[0].children, box.children[-1]
    assert type(slider).__name__ == "IntSlider" and slider.description == "T"
    assert output.value == un.unrolled_view(3)
    slider.value = 5
    assert output.value == un.unrolled_view(5)


def test_figures():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    orbits = [un.free_orbits(W, np.full((2, 2), 0.5), 10) for W in un.ORBIT_REGIMES.values()]
    fig = un.plot_orbits(orbits, list(un.ORBIT_REGIMES))
    assert [ax.get_title() for ax in fig.axes] == list(un.ORBIT_REGIMES)
    plt.close(fig)
    with pytest.raises(ValueError, match="titles must have .* entries, one per orbit array"):
        un.plot_orbits(orbits, ["a"])
    fig = un.plot_term_sizes([np.arange(3)], {"a": np.array([1.0, 0.5, 0.25])}, "k",
                             ylabel="size")
    assert fig.axes[0].get_ylabel() == "size" and fig.axes[0].get_yscale() == "log"
    plt.close(fig)
    with pytest.raises(ValueError, match=r"labels\['a'\] must have shape \(N,\) = \(3,\)"):
        un.plot_term_sizes([np.arange(3)], {"a": np.ones(2)}, "k")
    with pytest.raises(ValueError, match="labels must hold one curve per entry of distance_sets"):
        un.plot_term_sizes([np.arange(3), np.arange(3)], {"a": np.ones(3)}, "k")


def test_plot_unrolling_labels_every_copy_with_its_step():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = un.plot_unrolling((1, 3))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["folded: one step", "unrolled, T = 1", "unrolled, T = 3"]
    folded = [t.get_text() for t in fig.axes[0].texts]
    assert "$W_{hh}$" in folded and "$h_t$" in folded
    labels = [t.get_text() for t in fig.axes[2].texts]
    for t in (1, 2, 3):
        for name in ("xh", "hh", "hy"):
            assert labels.count(f"$W_{{{name}}}^{{({t})}}$") == 1
    assert "$W_{hh}$" not in labels  # no copy is left unlabelled by its step
    plt.close(fig)
    with pytest.raises(ValueError, match=r"shown_T\[1\] must be an integer in \[1, 12\], got 13"):
        un.plot_unrolling((2, 13))
    with pytest.raises(ValueError, match="shown_T must hold at least one T"):
        un.plot_unrolling(())


def test_importing_the_chapter_helpers_pulls_in_no_plotting_or_widget_library():
    code = ("import sys, rnnlib.chapters.unrolling, rnnlib.exercises.unrolling; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
