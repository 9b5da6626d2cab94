"""Stacked and bidirectional layers (rnnlib/stacked.py) and generation with fed-back outputs
(rnnlib/generate.py): each is the composition it claims to be, and every backward matches
finite differences in float64 to 1e-7."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib
from helpers import assert_gradients, random_params, seeds, size, upstream_loss

RNN_KEYS = ("W_xh", "W_hh", "b_h")
small = st.integers(1, 3)


def layer(rng, D, H):
    return {k: v for k, v in random_params(rng, D, H, 1).items() if k in RNN_KEYS}


def flat(layers, bidirectional):
    """{"l0f_W_xh": ..., ...}: every array of a stack under its own name (for the gradient check)."""
    out = {}
    for l, entry in enumerate(layers):
        for d, p in zip("fb", entry if bidirectional else (entry,)):
            out.update({f"l{l}{d}_{k}": v for k, v in p.items()})
    return out


def unflat(arrays, L, bidirectional):
    layers = []
    for l in range(L):
        parts = [{k: arrays[f"l{l}{d}_{k}"] for k in RNN_KEYS} for d in ("fb" if bidirectional else "f")]
        layers.append(tuple(parts) if bidirectional else parts[0])
    return layers


@settings(max_examples=25, deadline=None)
@given(T=size, B=small, D=small, H=small, seed=seeds)
def test_birnn_is_two_rnn_passes_concatenated(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    pf, pb = layer(rng, D, H), layer(rng, D, H)
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((2, B, H))
    h, _ = rnnlib.birnn_forward(x, pf, pb, h0)
    assert h.shape == (T, B, 2 * H)
    np.testing.assert_array_equal(h[:, :, :H], rnnlib.rnn_forward(x, pf, h0[0])[0])
    np.testing.assert_array_equal(h[:, :, H:], rnnlib.rnn_forward(x[::-1], pb, h0[1])[0][::-1])
    # the backward direction at step t has read x_t..x_T: changing x_1 leaves h_2^bwd..h_T^bwd
    x2 = x.copy()
    x2[0] += 1.0
    h2, _ = rnnlib.birnn_forward(x2, pf, pb, h0)
    np.testing.assert_array_equal(h2[1:, :, H:], h[1:, :, H:])


@settings(max_examples=20, deadline=None)
@given(T=size, B=small, D=small, H=small, seed=seeds)
def test_birnn_backward_matches_finite_differences(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    pf, pb = layer(rng, D, H), layer(rng, D, H)
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((2, B, H))
    dh = rng.standard_normal((T, B, 2 * H))
    _, cache = rnnlib.birnn_forward(x, pf, pb, h0)
    dx, dh0, (gf, gb) = rnnlib.birnn_backward(dh, cache)
    inputs = {"x": x, "h0": h0, **{f"f_{k}": v for k, v in pf.items()},
              **{f"b_{k}": v for k, v in pb.items()}}
    analytic = {"x": dx, "h0": dh0, **{f"f_{k}": v for k, v in gf.items()},
                **{f"b_{k}": v for k, v in gb.items()}}

    def forward(x, h0, **p):
        return rnnlib.birnn_forward(x, {k: p[f"f_{k}"] for k in RNN_KEYS},
                                    {k: p[f"b_{k}"] for k in RNN_KEYS}, h0)[0]
    assert_gradients(upstream_loss(forward, dh), inputs, analytic)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("T, B, D, H, L", [(1, 1, 1, 1, 1), (2, 3, 2, 3, 2), (4, 2, 3, 2, 3)])
def test_stacked_backward_matches_finite_differences(T, B, D, H, L, bidirectional):
    rng = np.random.default_rng(T * 100 + L * 10 + bidirectional)
    per = 2 if bidirectional else 1
    layers = [tuple(layer(rng, D if l == 0 else per * H, H) for _ in range(per)) if bidirectional
              else layer(rng, D if l == 0 else H, H) for l in range(L)]
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((per * L, B, H))
    h, cache = rnnlib.stacked_forward(x, layers, h0)
    assert h.shape == (T, B, per * H)
    dh = rng.standard_normal(h.shape)
    dx, dh0, grads = rnnlib.stacked_backward(dh, cache)
    assert dh0.shape == h0.shape and len(grads) == L

    def forward(x, h0, **arrays):
        return rnnlib.stacked_forward(x, unflat(arrays, L, bidirectional), h0)[0]
    analytic = {"x": dx, "h0": dh0, **flat(grads, bidirectional)}
    assert_gradients(upstream_loss(forward, dh), {"x": x, "h0": h0, **flat(layers, bidirectional)},
                     analytic)


def test_a_stack_is_its_layers_in_turn():
    rng = np.random.default_rng(3)
    layers = [(layer(rng, 2, 3), layer(rng, 2, 3)), (layer(rng, 6, 3), layer(rng, 6, 3))]
    x = rng.standard_normal((5, 2, 2))
    first, _ = rnnlib.birnn_forward(x, *layers[0])
    second, _ = rnnlib.birnn_forward(first, *layers[1])
    np.testing.assert_array_equal(rnnlib.stacked_forward(x, layers)[0], second)
    one = [layer(rng, 2, 4)]
    np.testing.assert_array_equal(rnnlib.stacked_forward(x, one)[0], rnnlib.rnn_forward(x, one[0])[0])


def test_the_layers_must_fit_together():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 2))
    with pytest.raises(ValueError, match=r"layers\[1\]\['W_xh'\].*the output size of layers\[0\]"):
        rnnlib.stacked_forward(x, [layer(rng, 2, 3), layer(rng, 2, 3)])
    with pytest.raises(TypeError, match=r"layers\[1\] must be a pair"):
        rnnlib.stacked_forward(x, [(layer(rng, 2, 3), layer(rng, 2, 3)), layer(rng, 6, 3)])
    with pytest.raises(ValueError, match=r"h0 must have shape"):
        rnnlib.stacked_forward(x, [layer(rng, 2, 3)], np.zeros((2, 2, 3)))


@settings(max_examples=25, deadline=None)
@given(T=size, B=small, H=small, K=small, extra=st.integers(0, 2), seed=seeds)
def test_generate_feeds_the_argmax_back(T, B, H, K, extra, seed):
    """Generating is the RNN run on the one-hot inputs it chose itself (teacher forcing on its own
    answers), so the same outputs come from rnn_forward on those inputs."""
    rng = np.random.default_rng(seed)
    D = K + extra
    params = random_params(rng, D, H, K)
    x_1, h0 = np.eye(D)[rng.integers(0, D, B)], rng.standard_normal((B, H))
    o, h = rnnlib.rnn_generate(params, x_1, T, h0)
    assert o.shape == (T, B, K) and h.shape == (T, B, H)
    x = np.concatenate([x_1[None], np.eye(D)[o[:-1].argmax(axis=2)]])
    np.testing.assert_allclose(o, rnnlib.rnn_predict(params, x, h0=h0), rtol=1e-12, atol=1e-14)


def test_generate_feeds_the_output_back():
    rng = np.random.default_rng(1)
    params = random_params(rng, 2, 3, 2)
    x_1 = rng.standard_normal((4, 2))
    o, _ = rnnlib.rnn_generate(params, x_1, 5, feed="output")
    x = np.concatenate([x_1[None], o[:-1]])
    np.testing.assert_allclose(o, rnnlib.rnn_predict(params, x), rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match=r"feed='output' needs K = D"):
        rnnlib.rnn_generate(random_params(rng, 3, 3, 2), rng.standard_normal((4, 3)), 5, feed="output")
    with pytest.raises(ValueError, match=r"feed='argmax' needs K <= D"):
        rnnlib.rnn_generate(random_params(rng, 2, 3, 3), rng.standard_normal((4, 2)), 5)
