"""The LSTM: one step and a whole sequence (with backpropagation through time).

Time-major, rows are examples, as the RNN (:mod:`rnnlib.rnn`). The weights of the four gates
are stacked side by side, in PyTorch's order i, f, g, o:

    W_xh = [W_xi | W_xf | W_xg | W_xo]    (D, 4H)
    W_hh = [W_hi | W_hf | W_hg | W_ho]    (H, 4H)
    b_h  = [b_i  | b_f  | b_g  | b_o ]    (4H,)

so one product gives the pre-activations of all four, a_t = x_t W_xh + h_{t-1} W_hh + b_h
(B, 4H), and the gates are its blocks of H columns:

    i_t = sigmoid(x_t W_xi + h_{t-1} W_hi + b_i)     input gate        (B, H)
    f_t = sigmoid(x_t W_xf + h_{t-1} W_hf + b_f)     forget gate       (B, H)
    g_t = tanh(x_t W_xg + h_{t-1} W_hg + b_g)        candidate         (B, H)
    o_t = sigmoid(x_t W_xo + h_{t-1} W_ho + b_o)     output gate       (B, H)
    c_t = f_t * c_{t-1} + i_t * g_t                  cell state        (B, H)
    h_t = o_t * tanh(c_t)                            hidden state      (B, H)

(``*`` is the elementwise product; c_0 and h_0 are zeros unless given.) PyTorch's ``nn.LSTM``
holds the same numbers transposed: weight_ih_l0 = W_xh^T (4H, D), weight_hh_l0 = W_hh^T (4H, H),
bias_ih_l0 + bias_hh_l0 = b_h; row blocks [0:H], [H:2H], [2H:3H], [3H:4H] are i, f, g, o.

The output layer and the losses are the RNN's (:func:`rnnlib.output_forward`); the model-level
loss takes ``cell="lstm"`` (:func:`rnnlib.rnn_loss`).
"""
from typing import NamedTuple

import numpy as np

from ._validate import Dims, check_params, flag, float_dtype, forward_cache, generator, integer, \
    real_number, same_shape

LSTM_KEYS = ("W_xh", "W_hh", "b_h")
LSTM_SHAPES = {"W_xh": "D 4H", "W_hh": "H 4H", "b_h": "4H", "W_hy": "H K", "b_y": "K"}
GATES = ("i", "f", "g", "o")


class LSTMStepCache(NamedTuple):
    """What :func:`lstm_step_backward` needs from :func:`lstm_step_forward`."""

    x_t: np.ndarray     # (B, D)
    h_prev: np.ndarray  # h_{t-1}, (B, H)
    c_prev: np.ndarray  # c_{t-1}, (B, H)
    gates: np.ndarray   # [i_t | f_t | g_t | o_t], (B, 4H)
    c_t: np.ndarray     # (B, H)
    tanh_c: np.ndarray  # tanh(c_t), (B, H)
    h_t: np.ndarray     # (B, H)
    W_xh: np.ndarray    # (D, 4H)
    W_hh: np.ndarray    # (H, 4H)


class LSTMCache(NamedTuple):
    """What :func:`lstm_backward` needs from :func:`lstm_forward`."""

    x: np.ndarray       # (T, B, D)
    h0: np.ndarray      # (B, H)
    c0: np.ndarray      # (B, H)
    gates: np.ndarray   # [i_t | f_t | g_t | o_t] of every step, (T, B, 4H)
    c: np.ndarray       # c_1..c_T, (T, B, H)
    tanh_c: np.ndarray  # tanh(c_1)..tanh(c_T), (T, B, H)
    h: np.ndarray       # h_1..h_T, (T, B, H)
    W_xh: np.ndarray    # (D, 4H)
    W_hh: np.ndarray    # (H, 4H)


def _sigmoid_scales(H, dtype):
    """(scale, shift), (4H,) each: sigmoid(a) = 0.5 tanh(a / 2) + 0.5 on the i, f, o blocks,
    tanh(a) on g. With the i, f, o columns of the weights halved (exact in floating point), one
    tanh over all 4H columns, then ``* scale + shift``, gives all four gates."""
    scale = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype), H)
    return scale, np.repeat(np.array([0.5, 0.5, 0.0, 0.5], dtype), H)


def _forward(x, W_xh, W_hh, b_h, h0, c0):
    """The forward pass of the LSTM over x (T, B, D), no checks. Returns the LSTMCache's arrays."""
    (T, B, D), H = x.shape, W_hh.shape[0]
    dtype = np.result_type(x, W_xh, W_hh, b_h, *(s for s in (h0, c0) if s is not None))
    h0 = np.zeros((B, H), dtype) if h0 is None else h0
    c0 = np.zeros((B, H), dtype) if c0 is None else c0
    scale, shift = _sigmoid_scales(H, dtype)
    # x_t W_xh + b_h (i, f, o columns halved) for all T steps: one product over the T*B rows.
    gates = np.empty((T, B, 4 * H), dtype)
    np.matmul(x.reshape(T * B, D), W_xh * scale, out=gates.reshape(T * B, 4 * H))
    gates += b_h * scale
    W_hh_scaled = W_hh * scale
    c, tanh_c, h = np.empty((3, T, B, H), dtype)
    h_prev, c_prev = h0, c0
    for t in range(T):
        a_t = gates[t]                          # a view into gates
        a_t += np.dot(h_prev, W_hh_scaled)      # the pre-activations (i, f, o halved)
        np.tanh(a_t, out=a_t)
        a_t *= scale                            # [i_t | f_t | g_t | o_t]
        a_t += shift
        i_t, f_t, g_t, o_t = a_t[:, :H], a_t[:, H:2 * H], a_t[:, 2 * H:3 * H], a_t[:, 3 * H:]
        c_prev = np.multiply(f_t, c_prev, out=c[t])
        c_prev += i_t * g_t                     # c_t = f_t * c_{t-1} + i_t * g_t
        h_prev = np.multiply(o_t, np.tanh(c_prev, out=tanh_c[t]), out=h[t])
    return x, h0, c0, gates, c, tanh_c, h, W_xh, W_hh


def _factors(da, dc_from_h, gates, c_prev, c0, c_first, tanh_c, H):
    """Fill da with the factors of the gate gradients and dc_from_h with o (1 - tanh(c)^2), for
    a chunk of steps. ``c_prev`` holds its c_{t-1}, or is None for the chunk that starts at
    step 1 (then c_0 = ``c0`` and c_1.. from ``c_first``)."""
    i, g, o = gates[..., :H], gates[..., 2 * H:3 * H], gates[..., 3 * H:]
    np.subtract(1.0, gates, out=da)
    da *= gates                                 # s (1 - s) in the i, f, o blocks
    da_g = np.multiply(g, g, out=da[..., 2 * H:3 * H])
    np.subtract(1.0, da_g, out=da_g)
    da_g *= i
    da[..., :H] *= g
    if c_prev is None:
        da[0, :, H:2 * H] *= c0
        da[1:, :, H:2 * H] *= c_first
    else:
        da[..., H:2 * H] *= c_prev
    da[..., 3 * H:] *= tanh_c
    np.multiply(tanh_c, tanh_c, out=dc_from_h)
    np.subtract(1.0, dc_from_h, out=dc_from_h)
    dc_from_h *= o


def _backward(dh_out, dc_last, x, h0, c0, gates, c, tanh_c, h, W_xh, W_hh):
    """BPTT through :func:`_forward`'s arrays, no checks. Returns dx, dh0, dc0, grads."""
    (T, B, H), D = h.shape, x.shape[2]
    f = gates[..., H:2 * H]
    # What multiplies the upstream gradient in each block of da_t:
    #   da_i = dc_t * g_t i_t (1 - i_t)        da_f = dc_t * c_{t-1} f_t (1 - f_t)
    #   da_g = dc_t * i_t (1 - g_t^2)          da_o = dh_t * tanh(c_t) o_t (1 - o_t)
    # and dc_t = dc_next + dh_t * o_t (1 - tanh(c_t)^2), with dh_t = dh_out_t + dh_next.
    # These factors are computed for a chunk of steps at once, the chunk small enough (about
    # 256 KiB of da) to stay in the CPU's cache while the loop then goes through its steps.
    da, dc_from_h = np.empty_like(gates), np.empty_like(tanh_c)
    blocks = da.reshape(T, B, 4, H)             # the same memory, gates as an axis
    dh_next, dc_next = np.zeros_like(h0), dc_last
    W_hh_T = np.ascontiguousarray(W_hh.T)      # a contiguous copy: np.dot is ~2x faster with it
    chunk = max(1, (256 << 10) // max(1, gates[0].nbytes))
    for end in range(T, 0, -chunk):
        s = slice(max(0, end - chunk), end)
        _factors(da[s], dc_from_h[s], gates[s], c[s.start - 1:end - 1] if s.start else None, c0,
                 c[:end - 1], tanh_c[s], H)
        for t in reversed(range(s.start, end)):
            dh_t = dh_next
            dh_t += dh_out[t]                   # dh_t = dh_out_t + dh_next
            dc_t = dc_from_h[t]
            dc_t *= dh_t
            dc_t += dc_next                     # dc_t = dc_next + dh_t * o_t (1 - tanh(c_t)^2)
            blocks[t, :, :3] *= dc_t[:, None, :]    # da_i, da_f, da_g
            blocks[t, :, 3] *= dh_t             # da_o
            dc_next = dc_t * f[t]               # dc_{t-1}, from this step
            dh_next = np.dot(da[t], W_hh_T)     # dh_{t-1}, from this step
    da_rows = da.reshape(T * B, 4 * H)
    grads = {
        "W_xh": x.reshape(T * B, D).T @ da_rows,
        "W_hh": h0.T @ da[0] + h[:-1].reshape(-1, H).T @ da[1:].reshape(-1, 4 * H),
        "b_h": da_rows.sum(axis=0),
    }
    return (da_rows @ W_xh.T).reshape(T, B, D), dh_next, dc_next, grads


def lstm_step_forward(x_t, h_prev, c_prev, params, *, check=True):
    """One LSTM step (the equations of :mod:`rnnlib.lstm`):

        [i_t | f_t | g_t | o_t] = [sigmoid | sigmoid | tanh | sigmoid](x_t W_xh + h_prev W_hh + b_h)
        c_t = f_t * c_prev + i_t * g_t,   h_t = o_t * tanh(c_t)

    Parameters
    ----------
    x_t : (B, D)
    h_prev, c_prev : (B, H) each
        The previous hidden state h_{t-1} and cell state c_{t-1}.
    params : dict with W_xh (D, 4H), W_hh (H, 4H), b_h (4H,), gate blocks in the order i, f, g,
        o; other keys are ignored.
    check : bool
        Check x_t, h_prev, c_prev and the parameters first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    (h_t, c_t) : (B, H) each
    cache : LSTMStepCache, what :func:`lstm_step_backward` needs.
    """
    if flag("check", check):
        dims = Dims()
        x_t = dims.array("x_t", x_t, "B D")
        params = check_params(params, LSTM_KEYS, dims, LSTM_SHAPES)
        h_prev = dims.array("h_prev", h_prev, "B H")
        c_prev = dims.array("c_prev", c_prev, "B H")
    x, h0, c0, gates, c, tanh_c, h, W_xh, W_hh = _forward(
        x_t[None], params["W_xh"], params["W_hh"], params["b_h"], h_prev, c_prev)
    return (h[0], c[0]), LSTMStepCache(x_t, h0, c0, gates[0], c[0], tanh_c[0], h[0], W_xh, W_hh)


def lstm_step_backward(dh_t, dc_t, cache, *, check=True):
    """Backward of :func:`lstm_step_forward`.

        dc = dc_t + dh_t * o_t (1 - tanh(c_t)^2)           (the total gradient at c_t)
        da_i = dc * g_t i_t (1 - i_t),   da_f = dc * c_prev f_t (1 - f_t)
        da_g = dc * i_t (1 - g_t^2),     da_o = dh_t * tanh(c_t) o_t (1 - o_t)
        da = [da_i | da_f | da_g | da_o]                    (B, 4H)
        dx_t = da W_xh^T,  dh_prev = da W_hh^T,  dc_prev = dc * f_t
        dW_xh = x_t^T da,  dW_hh = h_prev^T da,  db_h = sum_B da

    Parameters
    ----------
    dh_t : (B, H)
        dL/dh_t, the total: from the output at t and from step t+1.
    dc_t : (B, H)
        The gradient reaching c_t from step t+1 (zeros at the last step): dL/dc_t is this plus
        what comes through h_t.
    cache : from :func:`lstm_step_forward`.
    check : bool
        Check ``cache``, ``dh_t`` and ``dc_t`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx_t : (B, D)
    dh_prev, dc_prev : (B, H) each
    grads : dict with W_xh (D, 4H), W_hh (H, 4H), b_h (4H,)
    """
    if flag("check", check):
        forward_cache("cache", cache, LSTMStepCache, "lstm_step_forward")
        dh_t = same_shape("dh_t", dh_t, cache.h_t.shape, "h_t")
        dc_t = same_shape("dc_t", dc_t, cache.c_t.shape, "c_t")
    x_t, h_prev, c_prev, gates, c_t, tanh_c, h_t, W_xh, W_hh = cache
    dx, dh_prev, dc_prev, grads = _backward(dh_t[None], dc_t, x_t[None], h_prev, c_prev,
                                            gates[None], c_t[None], tanh_c[None], h_t[None],
                                            W_xh, W_hh)
    return dx[0], dh_prev, dc_prev, grads


def lstm_forward(x, params, h0=None, c0=None, *, check=True):
    """Run the LSTM over a whole sequence (the equations of :mod:`rnnlib.lstm`), t = 1..T.

    The input projections x_t W_xh + b_h of all T steps, for all four gates, are one matrix
    product; only h_{t-1} W_hh (B, 4H) has to wait for the previous step.

    Parameters
    ----------
    x : (T, B, D)
    params : dict with W_xh (D, 4H), W_hh (H, 4H), b_h (4H,), gate blocks in the order i, f, g,
        o; other keys are ignored.
    h0, c0 : (B, H) each, optional
        The initial hidden and cell states; zeros when omitted.
    check : bool
        Check x, the parameters, h0 and c0 first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    h : (T, B, H)
        Every hidden state h_1..h_T (the cell states are in ``cache.c``).
    cache : LSTMCache, what :func:`lstm_backward` needs.
    """
    if flag("check", check):
        dims = Dims()
        x = dims.array("x", x, "T B D")
        params = check_params(params, LSTM_KEYS, dims, LSTM_SHAPES)
        h0 = None if h0 is None else dims.array("h0", h0, "B H")
        c0 = None if c0 is None else dims.array("c0", c0, "B H")
    cache = LSTMCache(*_forward(x, params["W_xh"], params["W_hh"], params["b_h"], h0, c0))
    return cache.h, cache


def lstm_backward(dh_out, cache, *, check=True):
    """Backpropagation through time for :func:`lstm_forward`.

    ``dh_out[t-1]`` is the gradient reaching h_t from its output only; the gradients carried back
    from step t+1, ``dh_next`` and ``dc_next``, are added inside:

        dh_t = dh_out_t + dh_next,   dc_t = dc_next + dh_t * o_t (1 - tanh(c_t)^2)
        da_t = [dc_t * g_t i_t (1 - i_t) | dc_t * c_{t-1} f_t (1 - f_t) |
                dc_t * i_t (1 - g_t^2)   | dh_t * tanh(c_t) o_t (1 - o_t)]         (B, 4H)
        dh_next = da_t W_hh^T,   dc_next = dc_t * f_t                    for t = T..1
        dW_xh = sum_t x_t^T da_t,  dW_hh = sum_t h_{t-1}^T da_t,  db_h = sum_t sum_B da_t
        dx_t = da_t W_xh^T,  dh0 and dc0 = the last dh_next and dc_next

    On the path c_T -> ... -> c_k the gradient is multiplied by the forget gates only
    (dc_next = dc_t * f_t). The factors of da that do not depend on the upstream gradient are
    computed for a chunk of steps at once (about 256 KiB, to stay in cache); the parameter
    gradients are one product each over all T * B rows.

    Parameters
    ----------
    dh_out : (T, B, H)
        The part of dL/dh_t that comes from the outputs (zeros where a step has no output).
    cache : from :func:`lstm_forward`.
    check : bool
        Check ``cache`` and ``dh_out`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    dx : (T, B, D)
    dh0, dc0 : (B, H) each
    grads : dict with W_xh (D, 4H), W_hh (H, 4H), b_h (4H,)
    """
    if flag("check", check):
        forward_cache("cache", cache, LSTMCache, "lstm_forward")
        dh_out = same_shape("dh_out", dh_out, cache.h.shape, "h")
    return _backward(dh_out, np.zeros_like(cache.c0), *cache)


def init_lstm_params(D, H, K, rng, dtype=np.float64, *, forget_bias=None):
    """Random LSTM + output-layer parameters, uniform in +-1/sqrt(H) (as PyTorch's nn.LSTM).

    Parameters
    ----------
    D, H, K : int >= 1, input, hidden and output sizes.
    rng : numpy.random.Generator
    dtype : a floating-point dtype of the arrays (np.float64, np.float32, ...)
    forget_bias : float, optional
        If given, the forget gate's bias b_f (``b_h[H:2H]``) is set to it instead of drawn
        (1.0 keeps the forget gates open at the start of training: Jozefowicz et al. 2015).

    Returns
    -------
    params : dict with W_xh (D, 4H), W_hh (H, 4H), b_h (4H,), W_hy (H, K), b_y (K,)
    """
    D, H, K = integer("D", D, low=1), integer("H", H, low=1), integer("K", K, low=1)
    generator("rng", rng)
    dtype = float_dtype("dtype", dtype)
    if forget_bias is not None:
        forget_bias = real_number("forget_bias", forget_bias)
    shapes = {"W_xh": (D, 4 * H), "W_hh": (H, 4 * H), "b_h": (4 * H,), "W_hy": (H, K), "b_y": (K,)}
    params = {k: (rng.uniform(-1, 1, s) / np.sqrt(H)).astype(dtype) for k, s in shapes.items()}
    if forget_bias is not None:
        params["b_h"][H:2 * H] = forget_bias
    return params
