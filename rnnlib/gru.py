"""The GRU (PyTorch's variant): one step and a whole sequence (with backpropagation through time).

Time-major, rows are examples, as the RNN (:mod:`rnnlib.rnn`). The weights of the three gates
are stacked side by side, in PyTorch's order r, z, n:

    W_xh = [W_xr | W_xz | W_xn]    (D, 3H)
    W_hh = [W_hr | W_hz | W_hn]    (H, 3H)
    b_h  = [b_r  | b_z  | b_xn]    (3H,)
    b_hn                           (H,)

    r_t = sigmoid(x_t W_xr + h_{t-1} W_hr + b_r)                   reset gate      (B, H)
    z_t = sigmoid(x_t W_xz + h_{t-1} W_hz + b_z)                   update gate     (B, H)
    n_t = tanh(x_t W_xn + b_xn + r_t * (h_{t-1} W_hn + b_hn))      candidate       (B, H)
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                          hidden state    (B, H)

(``*`` is the elementwise product; h_0 is zeros unless given.) The reset gate multiplies the
recurrent product h_{t-1} W_hn + b_hn, as in PyTorch's ``nn.GRU`` (and cuDNN); the GRU of Cho
et al. (2014) applies it before the product, n_t = tanh(x_t W_xn + (r_t * h_{t-1}) W_hn + b_n),
which this module does not implement. The recurrent bias b_hn stands apart because r_t
multiplies it; for r and z a single bias is enough.

PyTorch's ``nn.GRU`` holds the same numbers transposed: weight_ih_l0 = W_xh^T (3H, D),
weight_hh_l0 = W_hh^T (3H, H), row blocks [0:H], [H:2H], [2H:3H] the gates r, z, n;
bias_ih_l0 = b_h and bias_hh_l0 = [0 | 0 | b_hn] (any split of b_r and b_z between bias_ih_l0
and bias_hh_l0 with the same sums is the same network).
"""
from typing import NamedTuple

import numpy as np

from ._validate import Dims, check_params, flag, float_dtype, forward_cache, generator, integer, \
    same_shape

GRU_KEYS = ("W_xh", "W_hh", "b_h", "b_hn")
GRU_SHAPES = {"W_xh": "D 3H", "W_hh": "H 3H", "b_h": "3H", "b_hn": "H", "W_hy": "H K", "b_y": "K"}
GATES = ("r", "z", "n")


class GRUStepCache(NamedTuple):
    """What :func:`gru_step_backward` needs from :func:`gru_step_forward`."""

    x_t: np.ndarray     # (B, D)
    h_prev: np.ndarray  # h_{t-1}, (B, H)
    gates: np.ndarray   # [r_t | z_t | n_t], (B, 3H)
    hn: np.ndarray      # h_{t-1} W_hn + b_hn, (B, H)
    h_t: np.ndarray     # (B, H)
    W_xh: np.ndarray    # (D, 3H)
    W_hh: np.ndarray    # (H, 3H)


class GRUCache(NamedTuple):
    """What :func:`gru_backward` needs from :func:`gru_forward`."""

    x: np.ndarray       # (T, B, D)
    h0: np.ndarray      # (B, H)
    gates: np.ndarray   # [r_t | z_t | n_t] of every step, (T, B, 3H)
    hn: np.ndarray      # h_{t-1} W_hn + b_hn of every step, (T, B, H)
    h: np.ndarray       # h_1..h_T, (T, B, H)
    W_xh: np.ndarray    # (D, 3H)
    W_hh: np.ndarray    # (H, 3H)


def _forward(x, W_xh, W_hh, b_h, b_hn, h0):
    """The forward pass of the GRU over x (T, B, D), no checks. Returns the GRUCache's arrays."""
    (T, B, D), H = x.shape, W_hh.shape[0]
    dtype = np.result_type(x, W_xh, W_hh, b_h, b_hn, *(() if h0 is None else (h0,)))
    h0 = np.zeros((B, H), dtype) if h0 is None else h0
    # sigmoid(a) = 0.5 tanh(a / 2) + 0.5: the r and z columns of the weights are halved (exact in
    # floating point), so tanh, * 0.5, + 0.5 on the first 2H columns gives r_t and z_t.
    scale = np.repeat(np.array([0.5, 0.5, 1.0], dtype), H)
    # x_t W_xh + b_h (r, z columns halved) for all T steps: one product over the T*B rows.
    gates = np.empty((T, B, 3 * H), dtype)
    np.matmul(x.reshape(T * B, D), W_xh * scale, out=gates.reshape(T * B, 3 * H))
    gates += b_h * scale
    W_hh_scaled = W_hh * scale
    hn, h = np.empty((2, T, B, H), dtype)
    h_prev = h0
    for t in range(T):
        a_t = gates[t]                              # a view into gates
        a_h = np.dot(h_prev, W_hh_scaled)           # h_{t-1} W_hh (r, z columns halved)
        rz = a_t[:, :2 * H]
        rz += a_h[:, :2 * H]
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5                                   # [r_t | z_t]
        r_t, z_t, n_t = a_t[:, :H], a_t[:, H:2 * H], a_t[:, 2 * H:]
        hn_t = np.add(a_h[:, 2 * H:], b_hn, out=hn[t])
        n_t += r_t * hn_t
        np.tanh(n_t, out=n_t)                       # n_t
        h_t = np.subtract(h_prev, n_t, out=h[t])
        h_t *= z_t
        h_t += n_t                                  # h_t = n_t + z_t * (h_{t-1} - n_t)
        h_prev = h_t
    return x, h0, gates, hn, h, W_xh, W_hh


def _factors(da, gates, hn, h_prev, H):
    """Fill da with [hn r (1 - r) | (h_prev - n) z (1 - z) | (1 - z)(1 - n^2)] for a chunk of
    steps (h_prev: their h_{t-1})."""
    n = gates[..., 2 * H:]
    np.subtract(1.0, gates, out=da)                 # [1 - r | 1 - z | 1 - n]
    da_n = np.multiply(n, n, out=da[..., 2 * H:])
    np.subtract(1.0, da_n, out=da_n)
    da_n *= da[..., H:2 * H]                        # (1 - n^2)(1 - z)
    da[..., :2 * H] *= gates[..., :2 * H]           # r (1 - r), z (1 - z)
    da[..., :H] *= hn
    da[..., H:2 * H] *= h_prev - n


def _backward(dh_out, x, h0, gates, hn, h, W_xh, W_hh):
    """BPTT through :func:`_forward`'s arrays, no checks. Returns dx, dh0, grads."""
    (T, B, H), D = h.shape, x.shape[2]
    r, z = gates[..., :H], gates[..., H:2 * H]
    # What multiplies the upstream gradient in each block:
    #   da_n = dh_t * (1 - z_t)(1 - n_t^2)          (pre-activation of n_t)
    #   da_z = dh_t * (h_{t-1} - n_t) z_t (1 - z_t)
    #   da_r = da_n * (h_{t-1} W_hn + b_hn) r_t (1 - r_t)
    # with dh_t = dh_out_t + dh_next. These factors are computed for a chunk of steps at once,
    # the chunk small enough (about 256 KiB of da) to stay in the CPU's cache while the loop
    # then goes through its steps.
    # da (x side, (T, B, 3H)) ends as [da_r | da_z | da_n]; da_h (the recurrent side) as
    # [da_r | da_z | da_n * r_t], the gradient of h_{t-1} W_hh + [0 | 0 | b_hn].
    da, da_h = np.empty_like(gates), np.empty_like(gates)
    blocks = da.reshape(T, B, 3, H)
    dh_next = np.zeros_like(h0)
    W_hh_T = np.ascontiguousarray(W_hh.T)          # a contiguous copy: np.dot is ~2x faster with it
    chunk = max(1, (256 << 10) // max(1, gates[0].nbytes))
    for end in range(T, 0, -chunk):
        s = slice(max(0, end - chunk), end)
        h_prev = h[s.start - 1:end - 1] if s.start else np.concatenate([h0[None], h[:end - 1]])
        _factors(da[s], gates[s], hn[s], h_prev, H)
        for t in reversed(range(s.start, end)):
            dh_t = dh_next
            dh_t += dh_out[t]                       # dh_t = dh_out_t + dh_next
            blocks[t, :, 1:] *= dh_t[:, None, :]    # da_z, da_n
            da_t = da[t]
            da_t[:, :H] *= da_t[:, 2 * H:]          # da_r
            da_h_t = da_h[t]
            da_h_t[:, :2 * H] = da_t[:, :2 * H]
            np.multiply(da_t[:, 2 * H:], r[t], out=da_h_t[:, 2 * H:])
            dh_next = np.dot(da_h_t, W_hh_T)
            dh_next += dh_t * z[t]                  # dh_{t-1}, from this step
    da_rows, da_h_rows = da.reshape(T * B, 3 * H), da_h.reshape(T * B, 3 * H)
    grads = {
        "W_xh": x.reshape(T * B, D).T @ da_rows,
        "W_hh": h0.T @ da_h[0] + h[:-1].reshape(-1, H).T @ da_h[1:].reshape(-1, 3 * H),
        "b_h": da_rows.sum(axis=0),
        "b_hn": da_h_rows[:, 2 * H:].sum(axis=0),
    }
    return (da_rows @ W_xh.T).reshape(T, B, D), dh_next, grads


def gru_step_forward(x_t, h_prev, params, *, check=True):
    """One GRU step (the equations of :mod:`rnnlib.gru`):

        [r_t | z_t] = sigmoid(x_t [W_xr | W_xz] + h_prev [W_hr | W_hz] + [b_r | b_z])
        n_t = tanh(x_t W_xn + b_xn + r_t * (h_prev W_hn + b_hn))
        h_t = (1 - z_t) * n_t + z_t * h_prev

    Parameters
    ----------
    x_t : (B, D)
    h_prev : (B, H)
        The previous hidden state h_{t-1}.
    params : dict with W_xh (D, 3H), W_hh (H, 3H), b_h (3H,), b_hn (H,), gate blocks in the
        order r, z, n; other keys are ignored.
    check : bool
        Check x_t, h_prev and the parameters first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    h_t : (B, H)
    cache : GRUStepCache, what :func:`gru_step_backward` needs.
    """
    if flag("check", check):
        dims = Dims()
        x_t = dims.array("x_t", x_t, "B D")
        params = check_params(params, GRU_KEYS, dims, GRU_SHAPES)
        h_prev = dims.array("h_prev", h_prev, "B H")
    x, h0, gates, hn, h, W_xh, W_hh = _forward(x_t[None], params["W_xh"], params["W_hh"],
                                               params["b_h"], params["b_hn"], h_prev)
    return h[0], GRUStepCache(x_t, h0, gates[0], hn[0], h[0], W_xh, W_hh)


def gru_step_backward(dh_t, cache, *, check=True):
    """Backward of :func:`gru_step_forward`.

        da_n = dh_t * (1 - z_t)(1 - n_t^2)                  (pre-activation of n_t)
        da_z = dh_t * (h_prev - n_t) z_t (1 - z_t)
        da_r = da_n * (h_prev W_hn + b_hn) r_t (1 - r_t)
        da_x = [da_r | da_z | da_n],   da_h = [da_r | da_z | da_n * r_t]     (B, 3H) each
        dx_t = da_x W_xh^T,  dh_prev = da_h W_hh^T + dh_t * z_t
        dW_xh = x_t^T da_x,  dW_hh = h_prev^T da_h,  db_h = sum_B da_x,  db_hn = sum_B da_n * r_t

    Parameters
    ----------
    dh_t : (B, H)
        dL/dh_t, the total: from the output at t and from step t+1.
    cache : from :func:`gru_step_forward`.
    check : bool
        Check ``cache`` and ``dh_t`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx_t : (B, D)
    dh_prev : (B, H)
    grads : dict with W_xh (D, 3H), W_hh (H, 3H), b_h (3H,), b_hn (H,)
    """
    if flag("check", check):
        forward_cache("cache", cache, GRUStepCache, "gru_step_forward")
        dh_t = same_shape("dh_t", dh_t, cache.h_t.shape, "h_t")
    x_t, h_prev, gates, hn, h_t, W_xh, W_hh = cache
    dx, dh_prev, grads = _backward(dh_t[None], x_t[None], h_prev, gates[None], hn[None],
                                   h_t[None], W_xh, W_hh)
    return dx[0], dh_prev, grads


def gru_forward(x, params, h0=None, *, check=True):
    """Run the GRU over a whole sequence (the equations of :mod:`rnnlib.gru`), t = 1..T.

    The input projections x_t W_xh + b_h of all T steps, for all three gates, are one matrix
    product; only h_{t-1} W_hh (B, 3H) has to wait for the previous step.

    Parameters
    ----------
    x : (T, B, D)
    params : dict with W_xh (D, 3H), W_hh (H, 3H), b_h (3H,), b_hn (H,), gate blocks in the
        order r, z, n; other keys are ignored.
    h0 : (B, H), optional
        The initial state; zeros when omitted.
    check : bool
        Check x, the parameters and h0 first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    h : (T, B, H)
        Every hidden state h_1..h_T.
    cache : GRUCache, what :func:`gru_backward` needs.
    """
    if flag("check", check):
        dims = Dims()
        x = dims.array("x", x, "T B D")
        params = check_params(params, GRU_KEYS, dims, GRU_SHAPES)
        h0 = None if h0 is None else dims.array("h0", h0, "B H")
    cache = GRUCache(*_forward(x, params["W_xh"], params["W_hh"], params["b_h"], params["b_hn"], h0))
    return cache.h, cache


def gru_backward(dh_out, cache, *, check=True):
    """Backpropagation through time for :func:`gru_forward`.

    ``dh_out[t-1]`` is the gradient reaching h_t from its output only; the gradient carried back
    from step t+1, ``dh_next``, is added inside:

        dh_t = dh_out_t + dh_next
        da_n = dh_t * (1 - z_t)(1 - n_t^2),   da_z = dh_t * (h_{t-1} - n_t) z_t (1 - z_t)
        da_r = da_n * (h_{t-1} W_hn + b_hn) r_t (1 - r_t)
        da_x = [da_r | da_z | da_n],   da_h = [da_r | da_z | da_n * r_t]       (B, 3H) each
        dh_next = da_h W_hh^T + dh_t * z_t                                   for t = T..1
        dW_xh = sum_t x_t^T da_x,  dW_hh = sum_t h_{t-1}^T da_h,
        db_h = sum_t sum_B da_x,  db_hn = sum_t sum_B da_n * r_t
        dx_t = da_x W_xh^T,  dh0 = the last dh_next

    The direct path h_t = ... + z_t * h_{t-1} carries the gradient back multiplied by z_t only.
    The factors that do not depend on the upstream gradient are computed for a chunk of steps at
    once (about 256 KiB, to stay in cache); the parameter gradients are one product each over all
    T * B rows.

    Parameters
    ----------
    dh_out : (T, B, H)
        The part of dL/dh_t that comes from the outputs (zeros where a step has no output).
    cache : from :func:`gru_forward`.
    check : bool
        Check ``cache`` and ``dh_out`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx : (T, B, D)
    dh0 : (B, H)
    grads : dict with W_xh (D, 3H), W_hh (H, 3H), b_h (3H,), b_hn (H,)
    """
    if flag("check", check):
        forward_cache("cache", cache, GRUCache, "gru_forward")
        dh_out = same_shape("dh_out", dh_out, cache.h.shape, "h")
    return _backward(dh_out, *cache)


def init_gru_params(D, H, K, rng, dtype=np.float64):
    """Random GRU + output-layer parameters, uniform in +-1/sqrt(H) (as PyTorch's nn.GRU).

    Parameters
    ----------
    D, H, K : int >= 1, input, hidden and output sizes.
    rng : numpy.random.Generator
    dtype : a floating-point dtype of the arrays (np.float64, np.float32, ...)

    Returns
    -------
    params : dict with W_xh (D, 3H), W_hh (H, 3H), b_h (3H,), b_hn (H,), W_hy (H, K), b_y (K,)
    """
    D, H, K = integer("D", D, low=1), integer("H", H, low=1), integer("K", K, low=1)
    generator("rng", rng)
    dtype = float_dtype("dtype", dtype)
    shapes = {"W_xh": (D, 3 * H), "W_hh": (H, 3 * H), "b_h": (3 * H,), "b_hn": (H,),
              "W_hy": (H, K), "b_y": (K,)}
    return {k: (rng.uniform(-1, 1, s) / np.sqrt(H)).astype(dtype) for k, s in shapes.items()}
