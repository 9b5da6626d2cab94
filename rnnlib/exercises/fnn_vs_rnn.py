"""Chapter 1's self-checking exercises: one RNN step backward, and the FNN backward.

Each checker runs the learner's function on four or five cases, among them B = 1 and H = 1
(where a transpose or a sum over the batch changes nothing and so hides), with W_hh not symmetric
(so W_hh and W_hh^T differ), and for the FNN a bias large enough to switch a hidden unit on or off
(where a ReLU mask taken without the bias shows), and names the mistake its outputs match.
"""
import numpy as np

from .._validate import function
from ..layers import fnn_backward, fnn_forward
from ..rnn import rnn_step_backward, rnn_step_forward
from ._checker import Case, Mistake, numeric_gradient, run_checks, unpack_result

# What about a case can hide a mistake (see Case.traits).
ONE_EXAMPLE = ("B = 1", "one example, so a sum or a mean over the batch changes nothing")

STEP_OUTPUTS = ("dx_t", "dh_prev", "grads['W_xh']", "grads['W_hh']", "grads['b_h']")
FNN_OUTPUTS = ("dx", "grads['W_xh']", "grads['b_h']", "grads['W_hy']", "grads['b_y']")


# ---- rnn_step_backward ----------------------------------------------------------------------

def _unpack_step(returned):
    return unpack_result(returned, STEP_OUTPUTS, "(dx_t, dh_prev, grads)")


def _step_outputs(da, cache, **wrong):
    """The step's gradients from da, with any of them replaced by a wrong version."""
    x_t, h_prev, h_t, W_xh, W_hh, _ = cache
    out = {"dx_t": da @ W_xh.T, "dh_prev": da @ W_hh.T, "W_xh": x_t.T @ da,
           "W_hh": h_prev.T @ da, "b_h": da.sum(axis=0), **wrong}
    return out["dx_t"], out["dh_prev"], {k: out[k] for k in ("W_xh", "W_hh", "b_h")}


def _da(dh_t, cache):
    return dh_t * (1 - cache.h_t ** 2)


STEP_MISTAKES = [
    Mistake("tanh' missing",
            "da = dh_t * (1 - h_t**2): the gradient reaching h_t must pass through tanh before "
            "it reaches a_t and the weights.",
            lambda dh, c: _step_outputs(dh, c)),
    Mistake("tanh' taken of the pre-activation a_t",
            "1 - h_t**2 is tanh'(a_t) written with the output h_t = tanh(a_t); 1 - a_t**2 is not.",
            lambda dh, c: _step_outputs(dh * (1 - np.arctanh(c.h_t) ** 2), c)),
    Mistake("tanh applied to h_t again",
            "1 - tanh(h_t)**2 would be right for h_t's pre-activation; the cache holds the output "
            "h_t = tanh(a_t) already, so tanh'(a_t) = 1 - h_t**2.",
            lambda dh, c: _step_outputs(dh * (1 - np.tanh(c.h_t) ** 2), c)),
    Mistake("tanh' taken of h_{t-1}",
            "the derivative belongs to this step's output: 1 - h_t**2, not 1 - h_prev**2.",
            lambda dh, c: _step_outputs(dh * (1 - c.h_prev ** 2), c)),
    Mistake("tanh' written as 1 - h_t",
            "tanh'(a) = 1 - tanh(a)**2, so the factor is 1 - h_t**2 (squared).",
            lambda dh, c: _step_outputs(dh * (1 - c.h_t), c)),
    Mistake("h_t used where h_{t-1} belongs",
            "in the forward pass W_hh multiplied h_{t-1}, so dW_hh = h_prev.T @ da, not "
            "h_t.T @ da.",
            lambda dh, c: _step_outputs(_da(dh, c), c, W_hh=c.h_t.T @ _da(dh, c))),
    Mistake("the recurrent gradient dropped",
            "h_prev fed this step through W_hh, so it receives dh_prev = da @ W_hh.T; "
            "returning zeros cuts the path back through time.",
            lambda dh, c: _step_outputs(_da(dh, c), c, dh_prev=np.zeros_like(c.h_prev))),
    Mistake("tanh' skipped on the path back to h_{t-1}",
            "dh_prev = da @ W_hh.T with da = dh_t * (1 - h_t**2): h_prev reaches the loss "
            "through a_t, so the derivative of tanh is on its path too.",
            lambda dh, c: _step_outputs(_da(dh, c), c, dh_prev=dh @ c.W_hh.T)),
    Mistake("transpose of W_xh missing",
            "a_t = x_t @ W_xh + ... gives dx_t = da @ W_xh.T, (B, H) @ (H, D) = (B, D).",
            lambda dh, c: _step_outputs(_da(dh, c), c, dx_t=_da(dh, c) @ c.W_xh)),
    Mistake("transpose of W_hh missing",
            "a_t = ... + h_prev @ W_hh gives dh_prev = da @ W_hh.T. W_hh is square, so "
            "da @ W_hh has the right shape and only the values show the mistake.",
            lambda dh, c: _step_outputs(_da(dh, c), c, dh_prev=_da(dh, c) @ c.W_hh)),
    Mistake("dW_hh transposed",
            "dW_hh = h_prev.T @ da has W_hh's layout (H_in, H_out); da.T @ h_prev is its "
            "transpose, the same shape because W_hh is square.",
            lambda dh, c: _step_outputs(_da(dh, c), c, W_hh=_da(dh, c).T @ c.h_prev)),
    Mistake("dW_xh transposed",
            "dW_xh = x_t.T @ da has the shape of W_xh, (D, H); da.T @ x_t is (H, D).",
            lambda dh, c: _step_outputs(_da(dh, c), c, W_xh=_da(dh, c).T @ c.x_t)),
    Mistake("no sum over the batch for db_h",
            "b_h is added to every row, so its gradient adds the rows: db_h = da.sum(axis=0), "
            "shape (H,).",
            lambda dh, c: _step_outputs(_da(dh, c), c, b_h=_da(dh, c))),
    Mistake("db_h summed over the wrong axis",
            "the rows are the examples: db_h = da.sum(axis=0), shape (H,); axis=1 sums over "
            "the hidden units.",
            lambda dh, c: _step_outputs(_da(dh, c), c, b_h=_da(dh, c).sum(axis=1))),
    Mistake("mean over the batch instead of sum",
            "a shared weight's gradient adds the contributions of all B examples; dividing by "
            "B is the job of the loss (reduction='mean'), not of the backward pass.",
            lambda dh, c: _step_outputs(_da(dh, c) / len(dh), c)),
]

STEP_SHAPE_HINTS = {
    "dx_t": "dx_t has the shape of x_t, (B, D): da (B, H) @ W_xh.T (H, D).",
    "dh_prev": "dh_prev has the shape of h_prev, (B, H): da (B, H) @ W_hh.T (H, H).",
    "grads['W_xh']": "dW_xh has the shape of W_xh, (D, H): x_t.T (D, B) @ da (B, H).",
    "grads['W_hh']": "dW_hh has the shape of W_hh, (H, H): h_prev.T (H, B) @ da (B, H).",
    "grads['b_h']": "db_h has the shape of b_h, (H,): da summed over the batch.",
}

# (B, D, H): B = 1 and H = 1 hide transposes and sums over the batch; D != H elsewhere.
STEP_SHAPES = ((3, 2, 4), (1, 3, 4), (4, 3, 1), (2, 5, 3))


def _step_cases(seed=0):
    rng = np.random.default_rng(seed)
    cases = []
    for B, D, H in STEP_SHAPES:
        arrays = {"x_t": rng.standard_normal((B, D)), "h_prev": 0.8 * np.tanh(rng.standard_normal((B, H))),
                  "W_xh": 0.5 * rng.standard_normal((D, H)), "W_hh": 0.5 * rng.standard_normal((H, H)),
                  "b_h": 0.1 * rng.standard_normal(H)}
        dh_t = rng.standard_normal((B, H))

        def loss(x_t, h_prev, W_xh, W_hh, b_h):
            params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}
            return float(np.sum(rnn_step_forward(x_t, h_prev, params)[0] * dh_t))

        params = {k: arrays[k] for k in ("W_xh", "W_hh", "b_h")}
        _, cache = rnn_step_forward(arrays["x_t"], arrays["h_prev"], params)
        expected = _unpack_step(rnn_step_backward(dh_t, cache))
        fd = numeric_gradient(loss, arrays)
        numeric = dict(zip(STEP_OUTPUTS, (fd["x_t"], fd["h_prev"], fd["W_xh"], fd["W_hh"], fd["b_h"])))
        traits = ((ONE_EXAMPLE,) if B == 1 else ()) + (
            (("H = 1", "one hidden unit: W_hh is 1 x 1, equal to its transpose, and a "
                       "factor H or 1/H is 1"),) if H == 1
            else ())
        cases.append(Case(f"B={B}, D={D}, H={H}", (dh_t, cache), expected, numeric,
                          dims={"B": B, "D": D, "H": H}, traits=traits))
    return cases


def check_rnn_step_backward(fn):
    """Check a learner's ``rnn_step_backward(dh_t, cache) -> (dx_t, dh_prev, grads)``.

    ``fn`` gets ``dh_t`` (B, H) and the cache of :func:`rnnlib.rnn_step_forward` (tanh), exactly as
    :func:`rnnlib.rnn_step_backward` does, and must return dx_t (B, D), dh_prev (B, H) and
    ``grads`` with W_xh (D, H), W_hh (H, H), b_h (H,):

        da = dh_t * (1 - h_t**2),  dx_t = da W_xh^T,  dh_prev = da W_hh^T,
        dW_xh = x_t^T da,  dW_hh = h_{t-1}^T da,  db_h = sum over the batch of da

    Returns
    -------
    CheckResult : ``.passed``, ``.message``; shows as an HTML report in a notebook.
    """
    function("fn", fn)  # before the cases are made
    return run_checks(fn, exercise="rnn_step_backward", cases=_step_cases(),
                      unpack=_unpack_step, mistakes=STEP_MISTAKES, shape_hints=STEP_SHAPE_HINTS)


# ---- fnn_backward ---------------------------------------------------------------------------

def _unpack_fnn(returned):
    return unpack_result(returned, FNN_OUTPUTS, "(dx, grads)")


def _fnn_outputs(do, cache, da=None, **wrong):
    """The FNN's gradients (ReLU), with da or any output replaced by a wrong version."""
    h, (x, W_xh), _, (_, W_hy) = cache
    dh = do @ W_hy.T
    da = dh * (h > 0) if da is None else da
    out = {"dx": da @ W_xh.T, "W_xh": x.T @ da, "b_h": da.sum(axis=0), "W_hy": h.T @ do,
           "b_y": do.sum(axis=0), **wrong}
    return out["dx"], {k: out[k] for k in ("W_xh", "b_h", "W_hy", "b_y")}


def _fnn_da(do, cache):
    return (do @ cache.affine_y.W.T) * (cache.h > 0)


FNN_MISTAKES = [
    Mistake("ReLU' missing",
            "da = dh * (a > 0): where the hidden unit was switched off (a <= 0) no gradient "
            "passes; dropping the factor lets it through.",
            lambda do, c: _fnn_outputs(do, c, da=do @ c.affine_y.W.T)),
    Mistake("ReLU' replaced by the ReLU output h",
            "the derivative of ReLU is 1 where a > 0 and 0 elsewhere: multiply by (h > 0), "
            "not by h.",
            lambda do, c: _fnn_outputs(do, c, da=(do @ c.affine_y.W.T) * c.h)),
    Mistake("ReLU mask taken from x @ W_xh, without the bias",
            "the unit is on where its pre-activation a = x @ W_xh + b_h is positive; without "
            "b_h the mask is wrong wherever the bias flips the sign. The cache holds h = ReLU(a), "
            "so the mask is (h > 0).",
            lambda do, c: _fnn_outputs(do, c, da=(do @ c.affine_y.W.T)
                                       * (c.affine_h.x @ c.affine_h.W > 0))),
    Mistake("transpose of W_hy missing",
            "o = h @ W_hy + b_y gives dh = do @ W_hy.T; do @ W_hy only has the right shape "
            "when H = K.",
            lambda do, c: _fnn_outputs(do, c, da=(do @ c.affine_y.W) * (c.h > 0))),
    Mistake("transpose of W_xh missing",
            "a = x @ W_xh + b_h gives dx = da @ W_xh.T, (B, H) @ (H, D) = (B, D).",
            lambda do, c: _fnn_outputs(do, c, dx=_fnn_da(do, c) @ c.affine_h.W)),
    Mistake("dW_hy transposed",
            "dW_hy = h.T @ do has the shape of W_hy, (H, K).",
            lambda do, c: _fnn_outputs(do, c, W_hy=do.T @ c.h)),
    Mistake("dW_xh transposed",
            "dW_xh = x.T @ da has the shape of W_xh, (D, H).",
            lambda do, c: _fnn_outputs(do, c, W_xh=_fnn_da(do, c).T @ c.affine_h.x)),
    Mistake("h used where x belongs in dW_xh",
            "W_xh multiplied the input x, so dW_xh = x.T @ da.",
            lambda do, c: _fnn_outputs(do, c, W_xh=c.h.T @ _fnn_da(do, c))),
    Mistake("no sum over the batch for the biases",
            "a bias is added to every row, so its gradient adds the rows: db_h = da.sum(axis=0), "
            "db_y = do.sum(axis=0).",
            lambda do, c: _fnn_outputs(do, c, b_h=_fnn_da(do, c), b_y=do)),
    Mistake("mean over the batch instead of sum",
            "the backward pass adds the contributions of all B examples; dividing by B is the "
            "loss's business (reduction='mean').",
            lambda do, c: _fnn_outputs(do / len(do), c)),
]

FNN_SHAPE_HINTS = {
    "dx": "dx has the shape of x, (B, D): da (B, H) @ W_xh.T (H, D).",
    "grads['W_xh']": "dW_xh has the shape of W_xh, (D, H): x.T (D, B) @ da (B, H).",
    "grads['b_h']": "db_h has the shape of b_h, (H,): da summed over the batch.",
    "grads['W_hy']": "dW_hy has the shape of W_hy, (H, K): h.T (H, B) @ do (B, K).",
    "grads['b_y']": "db_y has the shape of b_y, (K,): do summed over the batch.",
}

# (B, D, H, K, bias scale): B = 1, H = K = 1, D = H = K (where transposes fit and only values
# show them), and a bias large enough to flip the sign of some x @ W_xh (where a ReLU mask taken
# without b_h shows).
FNN_SHAPES = ((3, 2, 4, 2, 0.1), (1, 3, 4, 2, 0.1), (4, 2, 1, 1, 0.1), (2, 3, 3, 3, 0.1),
              (3, 2, 4, 2, 2.0))


def _fnn_cases(seed=1):
    rng = np.random.default_rng(seed)
    cases = []
    for B, D, H, K, bias in FNN_SHAPES:
        while True:  # ReLU has no derivative at 0: keep every pre-activation clear of it
            arrays = {"x": rng.standard_normal((B, D)), "W_xh": rng.standard_normal((D, H)),
                      "b_h": bias * rng.standard_normal(H), "W_hy": rng.standard_normal((H, K)),
                      "b_y": 0.1 * rng.standard_normal(K)}
            xw = arrays["x"] @ arrays["W_xh"]
            a = xw + arrays["b_h"]
            flips = (a > 0) != (xw > 0)
            if (np.abs(a).min() > 0.05 and (a > 0).any() and (a < 0).any()
                    and flips.any() == (bias > 1) and np.abs(xw[flips]).min(initial=1) > 0.05):
                break
        do = rng.standard_normal((B, K))

        def loss(x, **params):
            return float(np.sum(fnn_forward(x, params, "relu")[0] * do))

        params = {k: arrays[k] for k in ("W_xh", "b_h", "W_hy", "b_y")}
        _, cache = fnn_forward(arrays["x"], params, "relu")
        expected = _unpack_fnn(fnn_backward(do, cache))
        fd = numeric_gradient(loss, arrays)
        numeric = dict(zip(FNN_OUTPUTS, (fd["x"], fd["W_xh"], fd["b_h"], fd["W_hy"], fd["b_y"])))
        traits = ((ONE_EXAMPLE,) if B == 1 else ()) + (
            (("H = K = 1", "W_hy is 1 x 1, so W_hy.T and dW_hy.T are W_hy and dW_hy"),)
            if H == K == 1 else ()) + (
            (("b_h is large", "the bias flips the sign of some unit's x @ W_xh, so a ReLU mask "
              "without b_h is wrong there"),) if bias > 1 else ())
        label = f"B={B}, D={D}, H={H}, K={K}" + (", large b_h" if bias > 1 else "")
        cases.append(Case(label, (do, cache), expected, numeric, dims={"B": B, "D": D, "H": H,
                                                                       "K": K}, traits=traits))
    return cases


def check_fnn_backward(fn):
    """Check a learner's ``fnn_backward(do, cache) -> (dx, grads)`` for the ReLU network.

    ``fn`` gets ``do`` (B, K) and the cache of ``rnnlib.fnn_forward(x, params, "relu")``, exactly
    as :func:`rnnlib.fnn_backward` does, and must return dx (B, D) and ``grads`` with W_xh (D, H),
    b_h (H,), W_hy (H, K), b_y (K,):

        dh = do W_hy^T,  da = dh * (a > 0),  dW_hy = h^T do,  db_y = sum_B do,
        dW_xh = x^T da,  db_h = sum_B da,  dx = da W_xh^T

    Returns
    -------
    CheckResult : ``.passed``, ``.message``; shows as an HTML report in a notebook.
    """
    function("fn", fn)  # before the cases are made
    return run_checks(fn, exercise="fnn_backward", cases=_fnn_cases(), unpack=_unpack_fnn,
                      mistakes=FNN_MISTAKES, shape_hints=FNN_SHAPE_HINTS)
