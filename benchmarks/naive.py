"""THE NAIVE BASELINE (not rnnlib): BPTT one example at a time and one step at a time.

This is how a hand computation goes (chapter 1's worked example, for one example and scalars),
generalised to vectors: for each example b, run its forward pass step by step with vectors of
that example only (x_t (D,), h_t (H,)), then its backward pass step by step, adding each step's
outer products into the gradient sums. No batching over examples, no matrix product over all
steps at once. It is here only to measure what batching buys; ``run.py`` checks it gives the same
loss and gradients as rnnlib before timing it.
"""
import numpy as np


def naive_step(params, x, y):
    """Loss 0.5 * sum ||o_t - y_t||^2 and its gradients by per-example, per-step BPTT.

    Returns (loss, dx, grads) like ``workloads.rnnlib_step``.
    """
    W_xh, W_hh, b_h, W_hy, b_y = (params[k] for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"))
    T, B, _ = x.shape
    H = W_hh.shape[0]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dx = np.zeros_like(x)
    loss = 0.0
    for b in range(B):                                 # one example at a time
        hs, dos = [np.zeros(H, x.dtype)], []           # hs[t] is h_t of this example; h_0 = 0
        for t in range(T):                             # forward, one step at a time
            a = x[t, b] @ W_xh + hs[-1] @ W_hh + b_h
            hs.append(np.tanh(a))
            do = hs[-1] @ W_hy + b_y - y[t, b]         # o_t - y_t
            loss += 0.5 * float(do @ do)
            dos.append(do)
        dh_next = np.zeros(H, x.dtype)                 # nothing comes back from step T + 1
        for t in reversed(range(T)):                   # backward, one step at a time
            do, h_t, h_prev = dos[t], hs[t + 1], hs[t]
            grads["W_hy"] += np.outer(h_t, do)
            grads["b_y"] += do
            dh = do @ W_hy.T + dh_next                 # through o_t and through h_{t+1}
            da = dh * (1.0 - h_t * h_t)                # tanh'(a_t) = 1 - h_t^2
            grads["W_xh"] += np.outer(x[t, b], da)
            grads["W_hh"] += np.outer(h_prev, da)
            grads["b_h"] += da
            dx[t, b] = da @ W_xh.T
            dh_next = da @ W_hh.T
    return loss, dx, grads
