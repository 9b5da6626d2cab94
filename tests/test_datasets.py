"""The toy sequence tasks: layout, the rule each target follows, determinism."""
import numpy as np
import pytest

import rnnlib
from rnnlib.datasets import delayed_echo


@pytest.mark.parametrize("T, delay", [(6, 0), (6, 2), (6, 5), (3, 4)])
def test_delayed_echo_regression(T, delay):
    x, y = delayed_echo(T, 3, delay, np.random.default_rng(0))
    assert x.shape == y.shape == (T, 3, 1)
    assert np.all(np.abs(x) <= 1)
    for t in range(T):
        expected = x[t - delay] if t >= delay else np.zeros((3, 1))
        np.testing.assert_array_equal(y[t], expected)


def test_delayed_echo_classes():
    x, labels = delayed_echo(7, 4, 2, np.random.default_rng(1), classes=5)
    assert x.shape == (7, 4, 5) and labels.shape == (7, 4) and labels.dtype.kind == "i"
    assert np.all(x.sum(-1) == 1)
    symbols = x.argmax(-1)
    assert symbols.min() >= 1 and symbols.max() <= 4
    np.testing.assert_array_equal(labels[2:], symbols[:-2])
    assert np.all(labels[:2] == 0)
    params = rnnlib.init_rnn_params(5, 3, 5, np.random.default_rng(2))
    loss, _ = rnnlib.rnn_loss(params, x, labels, loss="cross_entropy")
    assert np.isfinite(loss)


def test_delayed_echo_is_reproducible():
    a = delayed_echo(5, 2, 1, np.random.default_rng(3))
    b = delayed_echo(5, 2, 1, np.random.default_rng(3))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.mark.parametrize("kwargs, error, words", [
    ({"T": 0}, ValueError, "T must be an integer >= 1, got 0"),
    ({"B": 2.0}, TypeError, "B must be an integer, got float"),
    ({"delay": -1}, ValueError, "delay must be an integer >= 0, got -1"),
    ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
    ({"classes": 1}, ValueError, "classes must be an integer >= 2, got 1"),
    ({"T": True}, TypeError, "T must be an integer, got bool"),
])
def test_delayed_echo_bad_arguments(kwargs, error, words):
    args = {"T": 4, "B": 2, "delay": 1, "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        delayed_echo(**args)
