"""Bad inputs raise the documented error, and the message names the argument, what was expected and what came.

Sizes used throughout: T=6, B=2, D=3, H=4, K=5.
"""
import re

import numpy as np
import pytest

import rnnlib
from helpers import random_params

RNG = np.random.default_rng(0)
P = random_params(RNG, 3, 4, 5)
X = RNG.standard_normal((6, 2, 3))
H0 = RNG.standard_normal((2, 4))
Y = RNG.standard_normal((6, 2, 5))
LABELS = RNG.integers(0, 5, (6, 2))
FNN_P = {k: v for k, v in P.items() if k != "W_hh"}
GRADS = {"W": np.ones((3, 2)), "b": np.ones(2)}
NAMES = "['identity', 'relu', 'sigmoid', 'tanh']"


def params(**changes):
    """The parameters P with some arrays replaced (or removed, for a value of None)."""
    return {k: v for k, v in {**P, **changes}.items() if v is not None}


def with_value(a, index, value):
    a = np.array(a, dtype=np.float64)
    a[index] = value
    return a


def backward(forward_call, backward_fn, upstream):
    return lambda: backward_fn(upstream, forward_call()[1])


CASES = {
    # wrong shapes
    "x ndim": (lambda: rnnlib.rnn_forward(X[0], P), ValueError,
               "x must have shape (T, B, D), got shape (2, 3) (2 axes instead of 3)"),
    "W_xh shape": (lambda: rnnlib.rnn_forward(X, params(W_xh=np.ones((4, 4)))), ValueError,
                   "W_xh must have shape (D, H) = (3, H), got shape (4, 4) (D = 3 from x)"),
    "W_hh shape": (lambda: rnnlib.rnn_forward(X, params(W_hh=np.ones((4, 5)))), ValueError,
                   "W_hh must have shape (H, H) = (4, 4), got shape (4, 5) (H = 4 from W_xh)"),
    "b_h shape": (lambda: rnnlib.rnn_forward(X, params(b_h=np.ones(5))), ValueError,
                  "b_h must have shape (H,) = (4,), got shape (5,) (H = 4 from W_xh)"),
    "W_hy shape": (lambda: rnnlib.rnn_loss(params(W_hy=np.ones((3, 5))), X, Y), ValueError,
                   "W_hy must have shape (H, K) = (4, K), got shape (3, 5) (H = 4 from W_xh)"),
    "b_y shape": (lambda: rnnlib.rnn_loss(params(b_y=np.ones((1, 5))), X, Y), ValueError,
                  "b_y must have shape (K,) = (5,), got shape (1, 5) (2 axes instead of 1)"),
    "b_y size": (lambda: rnnlib.rnn_predict(params(b_y=np.ones(4)), X), ValueError,
                 "b_y must have shape (K,) = (5,), got shape (4,) (K = 5 from W_hy)"),
    "fnn W_hy": (lambda: rnnlib.fnn_forward(X[0], {**FNN_P, "W_hy": np.ones((5, 5))}), ValueError,
                 "W_hy must have shape (H, K) = (4, K), got shape (5, 5) (H = 4 from W_xh)"),
    "fnn x ndim": (lambda: rnnlib.fnn_forward(X, FNN_P), ValueError,
                   "x must have shape (B, D), got shape (6, 2, 3) (3 axes instead of 2)"),
    "affine W": (lambda: rnnlib.affine_forward(X, np.ones((4, 2)), np.ones(2)), ValueError,
                 "W must have shape (D, M) = (3, M), got shape (4, 2) (D = 3 from x)"),
    "h0 batch": (lambda: rnnlib.rnn_forward(X, P, np.ones((3, 4))), ValueError,
                 "h0 must have shape (B, H) = (2, 4), got shape (3, 4) (B = 2 from x)"),
    "h0 H": (lambda: rnnlib.rnn_loss(P, X, Y, h0=np.ones((2, 5))), ValueError,
             "h0 must have shape (B, H) = (2, 4), got shape (2, 5) (H = 4 from W_xh)"),
    "h_prev H": (lambda: rnnlib.rnn_step_forward(X[0], np.ones((2, 5)), P), ValueError,
                 "h_prev must have shape (B, H) = (2, 4), got shape (2, 5) (H = 4 from W_xh)"),
    "dh H": (backward(lambda: rnnlib.rnn_forward(X, P), rnnlib.rnn_backward, np.ones((6, 2, 5))), ValueError,
             "dh_out must have shape (T, B, H) = (6, 2, 4), got shape (6, 2, 5) (H = 4 from the forward pass)"),
    "dh T": (backward(lambda: rnnlib.rnn_forward(X, P), rnnlib.rnn_backward, np.ones((5, 2, 4))), ValueError,
             "dh_out must have shape (T, B, H) = (6, 2, 4), got shape (5, 2, 4) (T = 6 from the forward pass)"),
    "dh_t": (backward(lambda: rnnlib.rnn_step_forward(X[0], H0, P), rnnlib.rnn_step_backward, np.ones(4)),
             ValueError, "dh_t must have the shape of h_t (2, 4), got shape (4,)"),
    "do": (backward(lambda: rnnlib.output_forward(np.ones((6, 2, 4)), P), rnnlib.output_backward,
                    np.ones((6, 2, 4))), ValueError, "do must have the shape of o (6, 2, 5), got shape (6, 2, 4)"),
    "do fnn": (backward(lambda: rnnlib.fnn_forward(X[0], FNN_P), rnnlib.fnn_backward, np.ones((1, 5))),
               ValueError, "do must have the shape of o (2, 5), got shape (1, 5)"),
    "dout": (backward(lambda: rnnlib.affine_forward(X, np.ones((3, 2)), np.ones(2)), rnnlib.affine_backward,
                      np.ones((6, 2))), ValueError, "dout must have the shape of out (6, 2, 2), got shape (6, 2)"),
    "dz": (backward(lambda: rnnlib.activation_forward(H0), rnnlib.activation_backward, np.ones((1, 4))),
           ValueError, "dz must have the shape of z (2, 4), got shape (1, 4)"),
    # targets that do not match the outputs
    "targets T": (lambda: rnnlib.rnn_loss(P, X, LABELS[:5], loss="cross_entropy"), ValueError,
                  "targets must have shape (T, B) = (6, 2), got shape (5, 2) (T = 6 from x)"),
    "targets B": (lambda: rnnlib.rnn_loss(P, X, np.zeros((6, 3), int), loss="cross_entropy"), ValueError,
                  "targets must have shape (T, B) = (6, 2), got shape (6, 3) (B = 2 from x)"),
    "targets K": (lambda: rnnlib.rnn_loss(P, X, Y[..., :4]), ValueError,
                  "targets must have shape (T, B, K) = (6, 2, 5), got shape (6, 2, 4) (K = 5 from W_hy)"),
    "targets last": (lambda: rnnlib.rnn_loss(P, X, Y, outputs="last"), ValueError,
                     "targets must have shape (B, K) = (2, 5), got shape (6, 2, 5) (3 axes instead of 2)"),
    "targets last labels": (lambda: rnnlib.rnn_loss(P, X, LABELS, loss="cross_entropy", outputs="last"),
                            ValueError,
                            "targets must have shape (B,) = (2,), got shape (6, 2) (2 axes instead of 1)"),
    "fnn targets": (lambda: rnnlib.fnn_loss(FNN_P, X[0], Y[:3, 0]), ValueError,
                    "targets must have shape (B, K) = (2, 5), got shape (3, 5) (B = 2 from x)"),
    "mse y": (lambda: rnnlib.mse_loss(Y, Y[:5]), ValueError,
              "y must have the shape of y_pred (6, 2, 5), got shape (5, 2, 5)"),
    "ce labels": (lambda: rnnlib.softmax_cross_entropy(Y, LABELS[:5]), ValueError,
                  "labels must have shape (6, 2) (the logits without K), got shape (5, 2)"),
    # NaN and inf
    "x nan": (lambda: rnnlib.rnn_forward(with_value(X, (1, 0, 2), np.nan), P), ValueError,
              "x contains NaN or inf (first at index (1, 0, 2): nan)"),
    "W_hh inf": (lambda: rnnlib.rnn_loss(params(W_hh=with_value(P["W_hh"], (0, 1), np.inf)), X, Y), ValueError,
                 "W_hh contains NaN or inf (first at index (0, 1): inf)"),
    "h0 -inf": (lambda: rnnlib.rnn_forward(X, P, with_value(H0, (1, 3), -np.inf)), ValueError,
                "h0 contains NaN or inf (first at index (1, 3): -inf)"),
    "targets nan": (lambda: rnnlib.rnn_loss(P, X, with_value(Y, (5, 1, 4), np.nan)), ValueError,
                    "targets contains NaN or inf (first at index (5, 1, 4): nan)"),
    "y nan": (lambda: rnnlib.mse_loss(Y, with_value(Y, (0, 0, 0), np.nan)), ValueError,
              "y contains NaN or inf (first at index (0, 0, 0): nan)"),
    "logits inf": (lambda: rnnlib.softmax(with_value(Y, (2, 1, 0), np.inf)), ValueError,
                   "logits contains NaN or inf (first at index (2, 1, 0): inf)"),
    "a nan": (lambda: rnnlib.activation_forward(with_value(H0, (0, 0), np.nan), "relu"), ValueError,
              "a contains NaN or inf (first at index (0, 0): nan)"),
    "dh nan": (backward(lambda: rnnlib.rnn_forward(X, P), rnnlib.rnn_backward,
                        with_value(np.ones((6, 2, 4)), (3, 1, 2), np.nan)), ValueError,
               "dh_out contains NaN or inf (first at index (3, 1, 2): nan)"),
    # empty sequences and batches
    "T = 0": (lambda: rnnlib.rnn_forward(X[:0], P), ValueError, "x is empty: shape (0, 2, 3) (T = 0)"),
    "B = 0": (lambda: rnnlib.rnn_loss(P, X[:, :0], Y[:, :0]), ValueError, "x is empty: shape (6, 0, 3) (B = 0)"),
    "fnn B = 0": (lambda: rnnlib.fnn_forward(X[0, :0], FNN_P), ValueError, "x is empty: shape (0, 3) (B = 0)"),
    "x_t B = 0": (lambda: rnnlib.rnn_step_forward(X[0, :0], H0[:0], P), ValueError,
                  "x_t is empty: shape (0, 3) (B = 0)"),
    "K = 0": (lambda: rnnlib.softmax(np.ones((2, 0))), ValueError, "logits is empty: shape (2, 0) (K = 0)"),
    "mse empty": (lambda: rnnlib.mse_loss(np.ones((0, 5)), np.ones((0, 5))), ValueError,
                  "y_pred is empty: shape (0, 5)"),
    # class labels
    "label -1": (lambda: rnnlib.softmax_cross_entropy(Y, with_value(LABELS, (0, 0), -1).astype(int)),
                 ValueError, "labels must lie in [0, K) = [0, 5), got values from -1 to"),
    "label K": (lambda: rnnlib.softmax_cross_entropy(Y[0], np.array([0, 5])), ValueError,
                "labels must lie in [0, K) = [0, 5), got values from 0 to 5"),
    "targets >= K": (lambda: rnnlib.rnn_loss(P, X, np.full((6, 2), 7), loss="cross_entropy"), ValueError,
                     "targets must lie in [0, K) = [0, 5), got values from 7 to 7"),
    "float labels": (lambda: rnnlib.softmax_cross_entropy(Y, LABELS.astype(float)), TypeError,
                     "labels must be an integer array of class indices, got dtype float64"),
    "float targets": (lambda: rnnlib.rnn_loss(P, X, LABELS.astype(float), loss="cross_entropy"), TypeError,
                      "targets must be an integer array of class indices, got dtype float64"),
    "bool labels": (lambda: rnnlib.softmax_cross_entropy(Y[0], np.array([True, False])), TypeError,
                    "labels must be an integer array of class indices, got dtype bool"),
    "string labels": (lambda: rnnlib.softmax_cross_entropy(Y[0], ["1", "2"]), TypeError,
                      "labels must be an integer array of class indices, got dtype <U1"),
    # non-numeric arrays
    "x strings": (lambda: rnnlib.rnn_forward(X.astype(str), P), TypeError,
                  "x must be a real numeric array, got dtype <U"),
    "x object": (lambda: rnnlib.rnn_forward(X.astype(object), P), TypeError,
                 "x must be a real numeric array, got dtype object"),
    "x ragged": (lambda: rnnlib.fnn_forward([[1.0, 2.0, 3.0], [1.0]], FNN_P), TypeError,
                 "x must be a numeric array, could not convert it"),
    "W_xh object": (lambda: rnnlib.rnn_forward(X, params(W_xh=np.array([[1, None]] * 3))), TypeError,
                    "W_xh must be a real numeric array, got dtype object"),
    "logits complex": (lambda: rnnlib.softmax(np.ones(3, complex)), TypeError,
                       "logits must be a real numeric array, got dtype complex128"),
    "targets strings": (lambda: rnnlib.rnn_loss(P, X, Y.astype(str)), TypeError,
                        "targets must be a real numeric array, got dtype <U"),
    # unknown names
    "activation": (lambda: rnnlib.rnn_forward(X, P, activation="softplus"), ValueError,
                   f"activation must be one of {NAMES}, got 'softplus'"),
    "step activation": (lambda: rnnlib.rnn_step_forward(X[0], H0, P, "Tanh"), ValueError,
                        f"activation must be one of {NAMES}, got 'Tanh'"),
    "activation_forward": (lambda: rnnlib.activation_forward(H0, "gelu"), ValueError,
                           f"name must be one of {NAMES}, got 'gelu'"),
    "fnn activation": (lambda: rnnlib.fnn_loss(FNN_P, X[0], Y[0], activation="elu"), ValueError,
                       f"activation must be one of {NAMES}, got 'elu'"),
    "mse reduction": (lambda: rnnlib.mse_loss(Y, Y, "avg"), ValueError,
                      "reduction must be one of ['mean', 'sum'], got 'avg'"),
    "ce reduction": (lambda: rnnlib.softmax_cross_entropy(Y, LABELS, "none"), ValueError,
                     "reduction must be one of ['mean', 'sum'], got 'none'"),
    "rnn_loss reduction": (lambda: rnnlib.rnn_loss(P, X, Y, reduction=None), ValueError,
                           "reduction must be one of ['mean', 'sum'], got None"),
    "rnn_loss loss": (lambda: rnnlib.rnn_loss(P, X, Y, loss="l1"), ValueError,
                      "loss must be one of ['cross_entropy', 'mse'], got 'l1'"),
    "fnn_loss loss": (lambda: rnnlib.fnn_loss(FNN_P, X[0], Y[0], loss="nll"), ValueError,
                      "loss must be one of ['cross_entropy', 'mse'], got 'nll'"),
    "rnn_loss outputs": (lambda: rnnlib.rnn_loss(P, X, Y, outputs="first"), ValueError,
                         "outputs must be one of ['all', 'last'], got 'first'"),
    "rnn_predict outputs": (lambda: rnnlib.rnn_predict(P, X, outputs="every"), ValueError,
                            "outputs must be one of ['all', 'last'], got 'every'"),
    # params containers
    "params list": (lambda: rnnlib.rnn_forward(X, list(P.values())), TypeError,
                    "params must be a dict of arrays, got list"),
    "params None": (lambda: rnnlib.rnn_loss(None, X, Y), TypeError,
                    "params must be a dict of arrays, got NoneType"),
    "missing W_hh": (lambda: rnnlib.rnn_forward(X, params(W_hh=None)), ValueError,
                     "params is missing ['W_hh']; it needs ['W_xh', 'W_hh', 'b_h']"),
    "missing b_y": (lambda: rnnlib.rnn_loss(params(b_y=None), X, Y), ValueError,
                    "params is missing ['b_y']; it needs ['W_xh', 'W_hh', 'b_h', 'W_hy', 'b_y']"),
    "fnn missing": (lambda: rnnlib.fnn_loss({"W_xh": P["W_xh"]}, X[0], Y[0]), ValueError,
                    "params is missing ['b_h', 'W_hy', 'b_y']"),
    "output missing": (lambda: rnnlib.output_forward(H0, {"W_hy": P["W_hy"]}), ValueError,
                       "params is missing ['b_y']; it needs ['W_hy', 'b_y']"),
    # clipping, optimizers, initialisation, gradient checks
    "max_norm 0": (lambda: rnnlib.clip_grad_norm(GRADS, 0), ValueError, "max_norm must be positive, got 0"),
    "max_norm < 0": (lambda: rnnlib.clip_grad_norm(GRADS, -1.0), ValueError,
                     "max_norm must be positive, got -1.0"),
    "max_norm nan": (lambda: rnnlib.clip_grad_norm(GRADS, np.nan), ValueError,
                     "max_norm must be positive, got nan"),
    "max_value 0": (lambda: rnnlib.clip_grad_value(GRADS, 0.0), ValueError, "max_value must be positive, got 0.0"),
    "max_value < 0": (lambda: rnnlib.clip_grad_value(GRADS, -2), ValueError, "max_value must be positive, got -2"),
    "clip list": (lambda: rnnlib.clip_grad_norm(list(GRADS.values()), 1.0), TypeError,
                  "grads must be a dict of arrays, got list"),
    "sgd keys": (lambda: rnnlib.sgd_step(GRADS, {"W": GRADS["W"]}, 0.1), ValueError,
                 "grads must have the keys of params ['W', 'b'], got ['W']"),
    "adam keys": (lambda: rnnlib.adam_step(GRADS, {**GRADS, "c": 1.0}, rnnlib.adam_init(GRADS)), ValueError,
                  "grads must have the keys of params ['W', 'b'], got ['W', 'b', 'c']"),
    "adam shape": (lambda: rnnlib.adam_step(GRADS, {**GRADS, "W": np.ones((2, 3))}, rnnlib.adam_init(GRADS)),
                   ValueError, "grads['W'] must have shape (3, 2), got (2, 3)"),
    "sgd params list": (lambda: rnnlib.sgd_step([1.0], GRADS, 0.1), TypeError,
                        "params must be a dict of arrays, got list"),
    "init seed": (lambda: rnnlib.init_rnn_params(3, 4, 5, 0), TypeError,
                  "rng must be a numpy.random.Generator, got int"),
    "init RandomState": (lambda: rnnlib.init_rnn_params(3, 4, 5, np.random.RandomState(0)), TypeError,
                         "rng must be a numpy.random.Generator, got RandomState"),
    "init H": (lambda: rnnlib.init_rnn_params(3, 0, 5, np.random.default_rng(0)), ValueError,
               "H must be a positive integer, got 0"),
    "numerical_gradient int": (lambda: rnnlib.numerical_gradient(lambda: 0.0, np.arange(3)), TypeError,
                               "x must be a float ndarray that f reads (it is perturbed in place), got ndarray of "
                               "dtype int64"),
    "relative_error shapes": (lambda: rnnlib.relative_error(np.ones((3, 1)), np.ones(3)), ValueError,
                              "a and b must have the same shape, got shapes (3, 1) and (3,)"),
}


@pytest.mark.parametrize("call, error, message", CASES.values(), ids=CASES.keys())
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_integer_inputs_become_float64():
    ints = {"W_xh": np.array([[1, 0], [0, -1]]), "W_hh": np.array([[0, 1], [1, 0]]), "b_h": np.array([0, 1]),
            "W_hy": np.array([[1], [2]]), "b_y": np.array([-1])}
    floats = {k: v.astype(np.float64) for k, v in ints.items()}
    x = np.array([[[1, 2]], [[0, -1]]])
    for call in (lambda p, x: rnnlib.rnn_forward(x, p)[0],
                 lambda p, x: rnnlib.rnn_step_forward(x[0], x[1], p)[0],
                 lambda p, x: rnnlib.rnn_predict(p, x, activation="identity"),
                 lambda p, x: rnnlib.fnn_forward(x[0], p, "relu")[0],
                 lambda p, x: rnnlib.affine_forward(x, p["W_xh"], p["b_h"])[0],
                 lambda p, x: rnnlib.activation_forward(x, "identity")[0],
                 lambda p, x: rnnlib.softmax(x),
                 lambda p, x: rnnlib.rnn_loss(p, x, np.array([[[3]], [[-2]]]))[1]["W_hh"],
                 lambda p, x: rnnlib.mse_loss(x, np.zeros((2, 1, 2), int))[1]):
        out, expected = call(ints, x), call(floats, x.astype(np.float64))
        assert out.dtype == np.float64
        np.testing.assert_array_equal(out, expected)
    assert rnnlib.activation_forward(np.array([True, False]), "identity")[0].dtype == np.float64
