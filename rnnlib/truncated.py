"""Truncated backpropagation through time: the sequence in chunks of k steps.

Full BPTT keeps every h_t of the sequence until the backward pass, so its memory grows with T.
Truncated BPTT runs the forward pass over the whole sequence but backpropagates within chunks of
k steps only: memory then grows with k, and the gradient leaves out the paths that cross a chunk
boundary.
"""
from ._validate import choice, integer
from .activations import ACTIVATIONS
from .losses import REDUCTIONS
from .model import LOSSES, _check_rnn_inputs
from .rnn import output_backward, output_forward, rnn_backward, rnn_forward


def rnn_loss_truncated(params, x, targets, k, *, loss="mse", reduction="sum", h0=None,
                       activation="tanh"):
    """Loss and truncated-BPTT gradients of the RNN with its output layer (many-to-many).

    The T steps are split into chunks of k consecutive steps (the last chunk may be shorter):
    chunk j holds the steps t = jk + 1, ..., min((j + 1)k, T). Each chunk runs
    :func:`rnnlib.rnn_forward` starting from the last hidden state of the chunk before it (h0 for
    the first chunk), so the forward pass and the loss are exactly those of the whole sequence:

        h_t = f(x_t W_xh + h_{t-1} W_hh + b_h),   o_t = h_t W_hy + b_y,   L = sum (or mean) of L_t

    The gradient is the sum over chunks of each chunk's own BPTT gradient, in which the state
    entering the chunk, h_s (s = jk), is a constant. Write chunk j's loss as a function of the
    parameters theta and of h_s, L^(j)(theta, h_s) = sum_{t in chunk j} L_t; the result is the
    sum of its partial derivatives, h_s held fixed (not the total dL/dtheta, which would also
    follow h_s back into the chunks before):

        dtheta = sum_j ∂L^(j)/∂theta

    Inside a chunk, :func:`rnnlib.rnn_backward` runs as usual; at the chunk's first step the
    gradient it would pass on to h_s (its dh0) is dropped, so no gradient flows across a chunk
    boundary. With k >= T there is one chunk and the result is that of :func:`rnnlib.rnn_loss`.
    Only one chunk's caches are alive at a time: memory grows with k * B * H, not T * B * H.

    Parameters
    ----------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    x : (T, B, D)
    targets : (T, B, K) floats for ``loss="mse"``; (T, B) class indices for ``"cross_entropy"``.
    k : int >= 1
        Chunk length in time steps; k >= T is full BPTT.
    loss : {"mse", "cross_entropy"}
    reduction : {"sum", "mean"}, over all T * B positions; "sum" (the default) adds them. For
        "mean", every chunk is divided by T * B, not by its own size, so the loss is the mean
        over the whole sequence.
    h0 : (B, H), optional; zeros when omitted.
    activation : hidden activation, tanh by default.

    Returns
    -------
    loss : float
    grads : dict with the keys and shapes of ``params``

    Raises
    ------
    TypeError, ValueError
        If k is not an integer >= 1, or targets do not have T steps (and as :func:`rnnlib.rnn_loss`).
    """
    k = integer("k", k, low=1)
    choice("loss", loss, LOSSES)
    choice("reduction", reduction, REDUCTIONS)
    choice("activation", activation, ACTIVATIONS)
    # Checked once, as in rnn_loss; the layers then run with check=False.
    x, params, h_prev, targets = _check_rnn_inputs(x, params, h0, targets, loss, "T B K")
    T, B = x.shape[0], x.shape[1]
    scale = 1.0 if reduction == "sum" else 1.0 / (T * B)
    total, grads = 0.0, None
    for start in range(0, T, k):
        stop = min(start + k, T)
        h, rnn_cache = rnn_forward(x[start:stop], params, h_prev, activation, check=False)
        o, out_cache = output_forward(h, params, check=False)
        value, do = LOSSES[loss](o, targets[start:stop], "sum", check=False)
        do *= scale
        dh_out, out_grads = output_backward(do, out_cache, check=False)
        rnn_grads = rnn_backward(dh_out, rnn_cache, check=False)[2]   # its dh0 is dropped: the truncation
        total += value * scale
        if grads is None:
            grads = {**rnn_grads, **out_grads}
        else:
            for key, g in {**rnn_grads, **out_grads}.items():
                grads[key] += g
        h_prev = h[-1].copy()   # carried into the next chunk as a constant (a copy: frees h)
    return total, grads
