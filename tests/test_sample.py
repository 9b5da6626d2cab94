"""rnnlib.sample: sampling with a temperature, the outputs fed back."""
import numpy as np
import pytest

import rnnlib
from rnnlib import rnn_generate, rnn_sample, sample_step, softmax


def _params(D=5, H=4, seed=0):
    rng = np.random.default_rng(seed)
    return rnnlib.init_rnn_params(D, H, D, rng) | {"W_hy": rng.standard_normal((H, D))}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_temperature_to_zero_gives_the_argmax_path(seed):
    params = _params(seed=seed)
    x_1 = np.eye(5)[[0, 3]]
    c, o, h = rnn_sample(params, x_1, 12, np.random.default_rng(seed), temperature=1e-8)
    o_ref, h_ref = rnn_generate(params, x_1, 12, feed="argmax")
    np.testing.assert_array_equal(c, o_ref.argmax(axis=2))
    np.testing.assert_allclose(o, o_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h, h_ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_one_step_matches_softmax_of_logits_over_temperature(temperature):
    logits = np.array([[1.0, -0.5, 2.0, 0.3, 0.0]])
    draws = 40000
    rng = np.random.default_rng(7)
    counts = np.bincount(sample_step(np.repeat(logits, draws, axis=0), temperature, rng),
                         minlength=5)
    p = softmax(logits / temperature)[0]
    tv = 0.5 * np.abs(counts / draws - p).sum()
    # E[TV] <= 0.5 * sum sqrt(p (1 - p) / n) ~ 0.008 here; 0.02 is far from any real mistake
    assert tv < 0.02, (tv, counts / draws, p)
    wrong = softmax(logits)[0] if temperature != 1.0 else softmax(logits / 3)[0]
    assert 0.5 * np.abs(counts / draws - wrong).sum() > 0.05


def test_the_same_seed_gives_the_same_text_and_another_seed_another():
    params, x_1 = _params(), np.eye(5)[[1]]
    a = rnn_sample(params, x_1, 30, np.random.default_rng(3), temperature=1.5)[0]
    b = rnn_sample(params, x_1, 30, np.random.default_rng(3), temperature=1.5)[0]
    c = rnn_sample(params, x_1, 30, np.random.default_rng(4), temperature=1.5)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_each_sampled_class_is_fed_back_and_the_state_carried():
    params, x_1 = _params(), np.eye(5)[[2, 4]]
    h0 = np.random.default_rng(1).standard_normal((2, 4)) * 0.5
    c, o, h = rnn_sample(params, x_1, 6, np.random.default_rng(0), h0=h0, temperature=1.0)
    x = np.concatenate([x_1[None], np.eye(5)[c[:-1]]])
    h_ref, _ = rnnlib.rnn_forward(x, params, h0)
    o_ref, _ = rnnlib.output_forward(h_ref, params)
    np.testing.assert_allclose(h, h_ref, atol=1e-12)
    np.testing.assert_allclose(o, o_ref, atol=1e-12)
    assert c.shape == (6, 2) and c.dtype == np.int64


def test_tiny_temperature_does_not_overflow():
    c = sample_step(np.array([[1e3, -1e3, 999.0]]), 1e-300, np.random.default_rng(0))
    assert c.tolist() == [0]


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_temperature_must_be_positive(bad):
    with pytest.raises(ValueError, match="temperature"):
        rnn_sample(_params(), np.eye(5)[[0]], 3, np.random.default_rng(0), temperature=bad)
    with pytest.raises(ValueError, match="temperature"):
        sample_step(np.zeros((1, 3)), bad, np.random.default_rng(0))


def test_more_classes_than_inputs_is_refused():
    params = _params() | {"W_hy": np.zeros((4, 6)), "b_y": np.zeros(6)}
    with pytest.raises(ValueError, match="K <= D"):
        rnn_sample(params, np.eye(5)[[0]], 3, np.random.default_rng(0))
