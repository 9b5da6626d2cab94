"""Bad inputs raise the documented error, and the message names the argument, what was expected and what came.

Sizes used throughout: T=6, B=2, D=3, H=4, K=5.
"""
import re

import numpy as np
import pytest

import rnnlib
from helpers import random_params
from rnnlib.chapters import fnn_vs_rnn as ex

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
                   "params['W_xh'] must have shape (D, H) = (3, H), got shape (4, 4) (D = 3 from x)"),
    "W_hh shape": (lambda: rnnlib.rnn_forward(X, params(W_hh=np.ones((4, 5)))), ValueError,
                   "params['W_hh'] must have shape (H, H) = (4, 4), got shape (4, 5) (H = 4 from params['W_xh'])"),
    "b_h shape": (lambda: rnnlib.rnn_forward(X, params(b_h=np.ones(5))), ValueError,
                  "params['b_h'] must have shape (H,) = (4,), got shape (5,) (H = 4 from params['W_xh'])"),
    "W_hy shape": (lambda: rnnlib.rnn_loss(params(W_hy=np.ones((3, 5))), X, Y), ValueError,
                   "params['W_hy'] must have shape (H, K) = (4, K), got shape (3, 5) (H = 4 from params['W_xh'])"),
    "b_y shape": (lambda: rnnlib.rnn_loss(params(b_y=np.ones((1, 5))), X, Y), ValueError,
                  "params['b_y'] must have shape (K,) = (5,), got shape (1, 5) (2 axes instead of 1)"),
    "b_y size": (lambda: rnnlib.rnn_predict(params(b_y=np.ones(4)), X), ValueError,
                 "params['b_y'] must have shape (K,) = (5,), got shape (4,) (K = 5 from params['W_hy'])"),
    "fnn W_hy": (lambda: rnnlib.fnn_forward(X[0], {**FNN_P, "W_hy": np.ones((5, 5))}), ValueError,
                 "params['W_hy'] must have shape (H, K) = (4, K), got shape (5, 5) (H = 4 from params['W_xh'])"),
    "fnn x ndim": (lambda: rnnlib.fnn_forward(X, FNN_P), ValueError,
                   "x must have shape (B, D), got shape (6, 2, 3) (3 axes instead of 2)"),
    "affine W": (lambda: rnnlib.affine_forward(X, np.ones((4, 2)), np.ones(2)), ValueError,
                 "W must have shape (D, M) = (3, M), got shape (4, 2) (D = 3 from x)"),
    "h0 batch": (lambda: rnnlib.rnn_forward(X, P, np.ones((3, 4))), ValueError,
                 "h0 must have shape (B, H) = (2, 4), got shape (3, 4) (B = 2 from x)"),
    "h0 H": (lambda: rnnlib.rnn_loss(P, X, Y, h0=np.ones((2, 5))), ValueError,
             "h0 must have shape (B, H) = (2, 4), got shape (2, 5) (H = 4 from params['W_xh'])"),
    "h_prev H": (lambda: rnnlib.rnn_step_forward(X[0], np.ones((2, 5)), P), ValueError,
                 "h_prev must have shape (B, H) = (2, 4), got shape (2, 5) (H = 4 from params['W_xh'])"),
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
                  "targets must have shape (T, B, K) = (6, 2, 5), got shape (6, 2, 4) (K = 5 from params['W_hy'])"),
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
                 "params['W_hh'] contains NaN or inf (first at index (0, 1): inf)"),
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
                      "labels must be an integer array of class indices, got list of length 2 (dtype <U1)"),
    # non-numeric arrays
    "x strings": (lambda: rnnlib.rnn_forward(X.astype(str), P), TypeError,
                  "x must be a real numeric array, got dtype <U"),
    "x object": (lambda: rnnlib.rnn_forward(X.astype(object), P), TypeError,
                 "x must be a real numeric array, got dtype object"),
    "x ragged": (lambda: rnnlib.fnn_forward([[1.0, 2.0, 3.0], [1.0]], FNN_P), TypeError,
                 "x must be a numeric array, could not convert it"),
    "W_xh object": (lambda: rnnlib.rnn_forward(X, params(W_xh=np.array([[1, None]] * 3))), TypeError,
                    "params['W_xh'] must be a real numeric array, got dtype object"),
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
    "max_norm 0": (lambda: rnnlib.clip_grad_norm(GRADS, 0), ValueError, "max_norm must be > 0, got 0.0"),
    "max_norm < 0": (lambda: rnnlib.clip_grad_norm(GRADS, -1.0), ValueError,
                     "max_norm must be > 0, got -1.0"),
    "max_norm nan": (lambda: rnnlib.clip_grad_norm(GRADS, np.nan), ValueError,
                     "max_norm must be a finite real number, got nan"),
    "max_value 0": (lambda: rnnlib.clip_grad_value(GRADS, 0.0), ValueError, "max_value must be > 0, got 0.0"),
    "max_value < 0": (lambda: rnnlib.clip_grad_value(GRADS, -2), ValueError, "max_value must be > 0, got -2.0"),
    "clip list": (lambda: rnnlib.clip_grad_norm(list(GRADS.values()), 1.0), TypeError,
                  "grads must be a dict of arrays, got list"),
    "sgd keys": (lambda: rnnlib.sgd_step(GRADS, {"W": GRADS["W"]}, 0.1), ValueError,
                 "grads must have the keys of params ['W', 'b'], got ['W']"),
    "adam keys": (lambda: rnnlib.adam_step(GRADS, {**GRADS, "c": 1.0}, rnnlib.adam_init(GRADS)), ValueError,
                  "grads must have the keys of params ['W', 'b'], got ['W', 'b', 'c']"),
    "adam shape": (lambda: rnnlib.adam_step(GRADS, {**GRADS, "W": np.ones((2, 3))}, rnnlib.adam_init(GRADS)),
                   ValueError, "grads['W'] must have the shape of params['W'] (3, 2), got shape (2, 3)"),
    "sgd params list": (lambda: rnnlib.sgd_step([1.0], GRADS, 0.1), TypeError,
                        "params must be a dict of arrays, got list"),
    "init seed": (lambda: rnnlib.init_rnn_params(3, 4, 5, 0), TypeError,
                  "rng must be a numpy.random.Generator (np.random.default_rng(seed)), got int 0"),
    "init RandomState": (lambda: rnnlib.init_rnn_params(3, 4, 5, np.random.RandomState(0)), TypeError,
                         "rng must be a numpy.random.Generator (np.random.default_rng(seed)), got RandomState"),
    "init H": (lambda: rnnlib.init_rnn_params(3, 0, 5, np.random.default_rng(0)), ValueError,
               "H must be an integer >= 1, got 0"),
    "numerical_gradient int": (lambda: rnnlib.numerical_gradient(lambda: 0.0, np.arange(3)), TypeError,
                               "x must be a float ndarray that f reads (it is perturbed in place), got ndarray of "
                               "dtype int64"),
    "relative_error shapes": (lambda: rnnlib.relative_error(np.ones((3, 1)), np.ones(3)), ValueError,
                              "a and b must have the same shape, got shapes (3, 1) and (3,)"),
}

# Issue #15's table, row by row: what each call raised before, and the message it gets now.
W_HH_INF = {"W_hh": np.array([[0.5, np.inf], [0.0, 1.0]]), "b_h": np.zeros(2)}
SMALL = {"W_hh": np.eye(2), "b_h": np.zeros(2)}
ISSUE_15 = {
    # unhashable type: 'list'
    "activation a list": (lambda: rnnlib.rnn_loss(P, X, Y, activation=["tanh"]), ValueError,
                          f"activation must be one of {NAMES}, got ['tanh']"),
    # unpack errors, AttributeError, KeyError: 'x'
    "step cache None": (lambda: rnnlib.rnn_step_backward(H0, None), TypeError,
                        "cache must be the cache returned by rnn_step_forward (its StepCache), got NoneType None"),
    "step cache of rnn_forward": (lambda: rnnlib.rnn_step_backward(H0, rnnlib.rnn_forward(X, P)[1]), TypeError,
                                  "cache must be the cache returned by rnn_step_forward (its StepCache), got RNNCache"),
    "rnn cache of a step": (lambda: rnnlib.rnn_backward(np.ones((6, 2, 4)), rnnlib.rnn_step_forward(X[0], H0, P)[1]),
                            TypeError, "cache must be the cache returned by rnn_forward (its RNNCache), got StepCache"),
    "fnn cache a dict": (lambda: rnnlib.fnn_backward(np.ones((2, 5)), {"x": X[0]}), TypeError,
                         "cache must be the cache returned by fnn_forward (its FNNCache), got dict of length 1"),
    # NumPy's ufunc / operand errors
    "sgd lr a str": (lambda: rnnlib.sgd_step(GRADS, GRADS, lr="0.1"), TypeError,
                     "lr must be a real number, got str '0.1'"),
    "sgd lr None": (lambda: rnnlib.sgd_step(GRADS, GRADS, lr=None), TypeError,
                    "lr must be a real number, got NoneType None"),
    # NaN parameters, no word
    "sgd inf gradient": (lambda: rnnlib.sgd_step(SMALL, W_HH_INF, 0.1), ValueError,
                         "grads['W_hh'] contains NaN or inf (first at index (0, 1): inf): the gradient overflowed"),
    "adam nan gradient": (lambda: rnnlib.adam_step(SMALL, {**SMALL, "b_h": np.array([0.0, np.nan])},
                                                   rnnlib.adam_init(SMALL)), ValueError,
                          "grads['b_h'] contains NaN or inf (first at index (1,): nan)"),
    # NaN, or accepted
    "adam beta1 = 1": (lambda: rnnlib.adam_step(GRADS, GRADS, rnnlib.adam_init(GRADS), beta1=1.0), ValueError,
                       "beta1 must be in [0, 1), got 1.0"),
    "adam lr < 0": (lambda: rnnlib.adam_step(GRADS, GRADS, rnnlib.adam_init(GRADS), lr=-0.1), ValueError,
                    "lr must be >= 0, got -0.1"),
    "adam eps < 0": (lambda: rnnlib.adam_step(GRADS, GRADS, rnnlib.adam_init(GRADS), eps=-1e-8), ValueError,
                     "eps must be > 0, got -1e-08"),
    "adam t = -1": (lambda: rnnlib.adam_step(GRADS, GRADS, {**rnnlib.adam_init(GRADS), "t": -1}), ValueError,
                    "state['t'] must be an integer >= 0, got -1"),
    # KeyError: 'm'
    "adam state without m": (lambda: rnnlib.adam_step(GRADS, GRADS, {"v": GRADS, "t": 0}), ValueError,
                             "state is missing ['m']; it needs ['m', 'v', 't']"),
    # clipped to +-max_value: the overflow is hidden
    "clip_grad_value inf": (lambda: rnnlib.clip_grad_value(W_HH_INF, 1.0), ValueError,
                            "grads['W_hh'] contains NaN or inf (first at index (0, 1): inf): clipping cannot rescale"),
    # '>' not supported between NoneType and int
    "clip_grad_norm None": (lambda: rnnlib.clip_grad_norm(GRADS, None), TypeError,
                            "max_norm must be a real number, got NoneType None"),
    # 'float' object is not callable
    "numerical_gradient 1.0": (lambda: rnnlib.numerical_gradient(1.0, np.ones(3)), TypeError,
                               "f must be a function, got float 1.0"),
    # ZeroDivisionError / params left NaN
    "check_gradients eps 0": (lambda: rnnlib.check_gradients(lambda p: rnnlib.rnn_loss(p, X, Y), copy_of(P), eps=0),
                              ValueError, "eps must be > 0, got 0.0"),
    "check_gradients eps nan": (lambda: rnnlib.check_gradients(lambda p: rnnlib.rnn_loss(p, X, Y), copy_of(P),
                                                               eps=np.nan), ValueError,
                                "eps must be a finite real number, got nan"),
    # relative error 6e-3 reported for a right backward pass
    "check_gradients float32": (lambda: rnnlib.check_gradients(lambda p: rnnlib.rnn_loss(p, X, Y), {
        k: v.astype(np.float32) for k, v in P.items()}), TypeError,
        "params['W_xh'] has dtype float32: finite differences need float64"),
    # KeyError: 'W_hh' / cannot unpack non-iterable float
    "check_gradients grads without W_hh": (
        lambda: rnnlib.check_gradients(lambda p: (rnnlib.rnn_loss(p, X, Y)[0], {"W_xh": p["W_xh"]}), copy_of(P)),
        ValueError, "loss_and_grads must return a gradient for every key of params ['W_xh', 'W_hh', 'b_h', 'W_hy', "
                    "'b_y']; the grads it returned are missing ['W_hh', 'b_h', 'W_hy', 'b_y']"),
    "check_gradients loss only": (lambda: rnnlib.check_gradients(lambda p: rnnlib.rnn_loss(p, X, Y)[0], copy_of(P)),
                                  TypeError, "loss_and_grads must return a pair (loss, grads) as rnnlib.rnn_loss "
                                             "does, got float"),
    # obscure error / all-zero integer parameters
    "init D = True": (lambda: rnnlib.init_rnn_params(True, 5, 3, np.random.default_rng(0)), TypeError,
                      "D must be an integer, got bool True"),
    "init int64 dtype": (lambda: rnnlib.init_rnn_params(3, 5, 3, np.random.default_rng(0), dtype=np.int64), TypeError,
                         "dtype must be a floating-point dtype such as np.float64 or np.float32, got "
                         "<class 'numpy.int64'>"),
    # 'float' object cannot be interpreted as an integer
    "softmax axis 1.5": (lambda: rnnlib.softmax(Y, axis=1.5), TypeError, "axis must be an integer, got float 1.5"),
    "softmax axis 3": (lambda: rnnlib.softmax(Y, axis=3), ValueError,
                       "axis must be an axis of logits, an integer in [-3, 2] (logits has 3 axes), got 3"),
    # IndexError / NaN trace
    "trace_rnn lengths": (lambda: ex.trace_rnn(x=(0.5, 0.7, 0.2), y=(0.8, 0.9)), ValueError,
                          "x and y must have the same length, got 3 and 2"),
    "trace_fnn lr nan": (lambda: ex.trace_fnn(lr=np.nan), ValueError, "lr must be a finite real number, got nan"),
    # the message blames x
    "check_gradients list entry": (lambda: rnnlib.check_gradients(lambda p: rnnlib.rnn_loss(p, X, Y), {
        **copy_of(P), "W_hh": P["W_hh"].tolist()}), TypeError,
        "params['W_hh'] must be a float ndarray that loss_and_grads reads (it is perturbed in place), got list"),
}


def copy_of(params):
    return {k: v.copy() for k, v in params.items()}


@pytest.mark.parametrize("call, error, message", [*CASES.values(), *ISSUE_15.values()],
                         ids=[*CASES, *ISSUE_15])
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_overflow_from_finite_inputs_gives_inf_not_an_error_about_an_internal_value():
    # issue #15: "a contains NaN or inf" (fnn_forward), "dz contains NaN or inf" (fnn_loss)
    huge = {**FNN_P, "W_xh": np.full((3, 4), 1e308)}
    with np.errstate(over="ignore", invalid="ignore"):   # NumPy's warnings: the overflow is expected
        o, _ = rnnlib.fnn_forward(np.ones((2, 3)), huge)
        loss, grads = rnnlib.fnn_loss({**FNN_P, "W_hy": np.full((4, 5), 1e308)}, np.ones((2, 3)),
                                      np.zeros((2, 5)))
        trace = ex.trace_rnn(W_hy=1e308, y=(0.0, 0.0))
    assert not np.isfinite(o).all()
    assert not np.isfinite(loss)
    assert not np.isfinite(trace["L"])


def test_check_gradients_restores_params_when_the_function_raises():
    # issue #15: f raising on its 5th call left params perturbed
    calls, params = [], copy_of(P)
    before = copy_of(params)

    def fails_on_the_fifth_call(p):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("the learner's loss fails")
        return rnnlib.rnn_loss(p, X, Y)

    with pytest.raises(RuntimeError, match="the learner's loss fails"):
        rnnlib.check_gradients(fails_on_the_fifth_call, params)
    assert all(np.array_equal(params[k], before[k]) for k in P)
    for eps in (0, np.nan):
        with pytest.raises(ValueError, match="eps"):
            rnnlib.check_gradients(lambda p: rnnlib.rnn_loss(p, X, Y), params, eps=eps)
        assert all(np.array_equal(params[k], before[k]) for k in P)


def test_numerical_gradient_restores_x_and_names_the_entry():
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="f must be a function"):
        rnnlib.numerical_gradient(1.0, x)
    values = iter([1.0, 1.0, 1.0, np.nan])
    with pytest.raises(ValueError, match=re.escape("f returned nan with x[1] - eps")):
        rnnlib.numerical_gradient(lambda: next(values), x)
    with pytest.raises(ValueError, match="eps = 1e-20 is lost in rounding at x"):
        rnnlib.numerical_gradient(lambda: float(x.sum()), x, eps=1e-20)
    assert np.array_equal(x, [1.0, 2.0, 3.0])


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


def test_train_reports_an_overflowing_step_and_checks_what_loss_and_grads_returns():
    params = {"w": np.array([1.0, 2.0])}

    def square(p):
        return float(np.sum(p["w"] ** 2)), {"w": 2 * p["w"]}

    with np.errstate(over="ignore"), pytest.raises(ValueError, match=re.escape(
            "params['w'] after step 1 contains NaN or inf (first at index (0,): -inf): lr = 1e+308 times a finite "
            "gradient overflowed; lower lr")):
        rnnlib.train(square, params, 3, lr=1e308)
    with pytest.raises(ValueError, match=re.escape(
            "grads['w'] (returned by loss_and_grads) must have the shape of params['w'] (2,), got shape (3,)")):
        rnnlib.train(lambda p: (square(p)[0], {"w": np.ones(3)}), params, 3, lr=0.1)
    assert np.array_equal(params["w"], [1.0, 2.0])
