"""Word ids and many-to-one over lengths (rnnlib/embedding.py, rnnlib/lengths.py): the embedding
is a row lookup whose backward adds once per occurrence (what a one-hot product gives), the padding
row gets nothing, and reading each sequence's own last state equals running each one alone; every
backward matches finite differences in float64 to 1e-7."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib
from helpers import assert_gradients, random_params, seeds, size, upstream_loss

small = st.integers(1, 3)
RNN_KEYS = ("W_xh", "W_hh", "b_h")


@settings(max_examples=30, deadline=None)
@given(T=size, B=small, V=st.integers(1, 6), D=small, seed=seeds)
def test_embedding_is_a_one_hot_product_forward_and_backward(T, B, V, D, seed):
    rng = np.random.default_rng(seed)
    ids, W = rng.integers(0, V, (T, B)), rng.standard_normal((V, D))
    dx = rng.standard_normal((T, B, D))
    x, cache = rnnlib.embedding_forward(ids, W)
    onehot = np.eye(V)[ids]                              # (T, B, V)
    assert np.allclose(x, onehot @ W)
    dW = rnnlib.embedding_backward(dx, cache)
    assert np.allclose(dW, onehot.reshape(-1, V).T @ dx.reshape(-1, D))


def test_a_repeated_word_counts_once_per_occurrence_and_plus_equals_does_not():
    ids, dx = np.array([[3, 3], [3, 1]]), np.ones((2, 2, 2))
    _, cache = rnnlib.embedding_forward(ids, np.zeros((4, 2)))
    dW = rnnlib.embedding_backward(dx, cache)
    wrong = np.zeros((4, 2))
    wrong[ids] += dx
    assert dW[3].tolist() == [3.0, 3.0] and wrong[3].tolist() == [1.0, 1.0]


@settings(max_examples=30, deadline=None)
@given(T=size, B=small, V=st.integers(2, 5), D=small, seed=seeds)
def test_embedding_backward_matches_finite_differences_and_padding_gets_nothing(T, B, V, D, seed):
    rng = np.random.default_rng(seed)
    ids, W = rng.integers(0, V, (T, B)), rng.standard_normal((V, D))
    dx = rng.standard_normal((T, B, D))
    f = upstream_loss(lambda W_emb: rnnlib.embedding_forward(ids, W_emb)[0], dx)
    assert_gradients(f, {"W_emb": W}, {"W_emb": rnnlib.embedding_backward(
        dx, rnnlib.embedding_forward(ids, W)[1])})
    dW_pad = rnnlib.embedding_backward(dx, rnnlib.embedding_forward(ids, W, padding_idx=0)[1])
    assert not dW_pad[0].any()
    assert np.array_equal(dW_pad[1:], rnnlib.embedding_backward(dx, rnnlib.embedding_forward(ids, W)[1])[1:])


@settings(max_examples=30, deadline=None)
@given(T=size, B=small, D=small, H=small, seed=seeds)
def test_last_state_equals_running_each_sequence_alone(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    p = {k: v for k, v in random_params(rng, D, H, 1).items() if k in RNN_KEYS}
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    lengths = rng.integers(1, T + 1, B)
    dh_last = rng.standard_normal((B, H))
    h_last, cache = rnnlib.rnn_last_forward(x, p, lengths, h0)
    dx, dh0, grads = rnnlib.rnn_last_backward(dh_last, cache)
    total = {k: np.zeros_like(v) for k, v in p.items()}
    for b, L in enumerate(lengths):
        h, c = rnnlib.rnn_forward(x[:L, b:b + 1], p, h0[b:b + 1])
        assert np.allclose(h_last[b], h[-1, 0])
        dh_out = np.zeros_like(h)
        dh_out[-1] = dh_last[b]
        dx_b, dh0_b, g_b = rnnlib.rnn_backward(dh_out, c)
        assert np.allclose(dx[:L, b], dx_b[:, 0]) and not dx[L:, b].any()
        assert np.allclose(dh0[b], dh0_b[0])
        total = {k: total[k] + g_b[k] for k in total}
    assert all(np.allclose(grads[k], total[k]) for k in p)


@settings(max_examples=30, deadline=None)
@given(T=size, B=small, D=small, H=small, seed=seeds)
def test_last_backward_matches_finite_differences(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    p = {k: v for k, v in random_params(rng, D, H, 1).items() if k in RNN_KEYS}
    x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    lengths = rng.integers(1, T + 1, B)
    dh_last = rng.standard_normal((B, H))
    _, cache = rnnlib.rnn_last_forward(x, p, lengths, h0)
    dx, dh0, grads = rnnlib.rnn_last_backward(dh_last, cache)
    f = upstream_loss(lambda x, h0, **q: rnnlib.rnn_last_forward(x, q, lengths, h0)[0], dh_last)
    assert_gradients(f, {"x": x, "h0": h0, **p}, {"x": dx, "h0": dh0, **grads})


def test_nothing_is_changed_and_lengths_are_copied():
    ids, W = np.array([[1, 0], [2, 2]]), np.ones((3, 2))
    x, cache = rnnlib.embedding_forward(ids, W, padding_idx=0)
    x[:] = 5.0
    assert (W == 1).all()
    ids[0, 0] = 2
    assert cache.ids[0, 0] == 1
