"""``run.py --profile``: where the time of one rnnlib forward + BPTT call goes.

Three measurements per case:

1. the timed call, ``rnn_loss`` (which checks the user's arrays once), and each public layer call
   of ``workloads.rnnlib_step`` (each checking its own inputs) timed on its own;
2. the same arithmetic split into parts, without any input checks (the loops and products of
   rnn_forward / rnn_backward written out here, so each part can be timed alone); rnn_loss, or
   the sum of the layer calls, minus the sum of the parts is the cost of input checks and call
   overhead;
3. minor page faults per call (getrusage), for rnnlib and for torch, and what one costs here.
"""
import mmap
import resource
import time

import numpy as np

import rnnlib
from timing import median_times
from workloads import TorchStep, make_data, rnnlib_loss


def _mse(o, y):
    error = o - y
    return 0.5 * np.sum(error * error), 1.0 * error


def _parts(params, x, y):
    """name -> callable timing one part of rnn_loss's arithmetic, with no input checks."""
    W_xh, W_hh, b_h, W_hy, b_y = (params[k] for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"))
    T, B, D = x.shape
    H, K = W_hh.shape[0], W_hy.shape[1]
    h, _ = rnnlib.rnn_forward(x, params)
    o = h @ W_hy + b_y
    do = o - y
    dh_out = do @ W_hy.T
    da = 1.0 - h * h

    def input_projection():
        out = np.empty((T, B, H), x.dtype)
        np.matmul(x.reshape(T * B, D), W_xh, out=out.reshape(T * B, H))
        out += b_h

    def forward_loop():
        hh = h.copy()          # stands in for h holding x_t W_xh + b_h (copy time is subtracted)
        h_prev = np.zeros((B, H), x.dtype)
        for t in range(T):
            a_t = hh[t]
            a_t += np.dot(h_prev, W_hh)
            h_prev = np.tanh(a_t, out=a_t)

    def backward_loop():
        d = da.copy()          # stands in for f'(a) (copy time is subtracted)
        dh_next, W_hh_T = np.zeros((B, H), x.dtype), W_hh.T
        for t in reversed(range(T)):
            d_t = d[t]
            d_t *= dh_out[t] + dh_next
            dh_next = np.dot(d_t, W_hh_T)

    da_rows = da.reshape(T * B, H)
    return {
        "input projection x W_xh + b_h": input_projection,
        "forward loop (T steps)": forward_loop,
        "  copy of h (subtracted)": lambda: h.copy(),
        "output layer h W_hy + b_y": lambda: h @ W_hy + b_y,
        "loss and do": lambda: _mse(o, y),
        "output backward (dh, dW_hy, db_y)": lambda: (do @ W_hy.T, h.reshape(-1, H).T @ do.reshape(-1, K),
                                                      do.reshape(-1, K).sum(axis=0)),
        "f'(a) = 1 - h^2": lambda: 1.0 - h * h,
        "backward loop (T steps)": backward_loop,
        "dW_xh, dW_hh, db_h products": lambda: (
            x.reshape(T * B, D).T @ da_rows,
            h[0].T @ da[0] + h[:-1].reshape(-1, H).T @ da[1:].reshape(-1, H),
            da_rows.sum(axis=0)),
        "dx = da W_xh^T": lambda: da_rows @ W_xh.T,
    }


def _public_calls(params, x, y):
    h, cache = rnnlib.rnn_forward(x, params)
    o, out_cache = rnnlib.output_forward(h, params)
    _, do = rnnlib.mse_loss(o, y, reduction="sum")
    dh, _ = rnnlib.output_backward(do, out_cache)
    return {
        "rnn_forward": lambda: rnnlib.rnn_forward(x, params),
        "output_forward": lambda: rnnlib.output_forward(h, params),
        "mse_loss": lambda: rnnlib.mse_loss(o, y, reduction="sum"),
        "output_backward": lambda: rnnlib.output_backward(do, out_cache),
        "rnn_backward": lambda: rnnlib.rnn_backward(dh, cache),
    }


def minor_faults_per_call(fn, calls):
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


def page_fault_cost(pages=2048, repeats=5):
    """Seconds per first touch of a fresh anonymous 4 KiB page (a minor fault plus zeroing)."""
    times = []
    for _ in range(repeats):
        region = mmap.mmap(-1, pages * 4096)
        view = np.frombuffer(region, np.uint8)
        t0 = time.perf_counter()
        view[::4096] = 1
        times.append((time.perf_counter() - t0) / pages)
        del view
        region.close()
    return float(np.median(times))


def profile_case(case, dtype, torch, budget):
    """Print the profile of one case; returns nothing."""
    T, B, D, H = case
    K = D
    params, x, y = make_data(T, B, D, H, K, dtype)
    print(f"\n(T, B, D, H) = {case}, K = {K}, {np.dtype(dtype).name}; medians, microseconds")
    kw = dict(budget=budget, min_repeats=5, max_repeats=300)
    total, _ = median_times({"rnn_loss": lambda: rnnlib_loss(params, x, y)}, **kw)
    public, _ = median_times(_public_calls(params, x, y), **kw)
    parts, _ = median_times(_parts(params, x, y), **kw)
    copy = parts.pop("  copy of h (subtracted)")   # each loop starts by copying a (T, B, H) array
    parts["forward loop (T steps)"] -= copy
    parts["backward loop (T steps)"] -= copy
    print(f"  whole call (rnn_loss, checks once)       {total['rnn_loss'] * 1e6:12.1f}")
    print("  the layer calls of workloads.rnnlib_step, each checking its inputs:")
    for name, t in public.items():
        print(f"    {name:37s} {t * 1e6:12.1f}")
    print(f"    sum of the layer calls                {sum(public.values()) * 1e6:12.1f}")
    print("  the same arithmetic, part by part, no input checks:")
    for name, t in parts.items():
        print(f"    {name:37s} {t * 1e6:12.1f}")
    arithmetic = sum(parts.values())
    print(f"    sum of the parts                      {arithmetic * 1e6:12.1f}")
    print(f"  checks, call overhead (rnn_loss - parts) {(total['rnn_loss'] - arithmetic) * 1e6:12.1f}")
    print(f"  the same with every layer call checking  {(sum(public.values()) - arithmetic) * 1e6:12.1f}")
    faults = minor_faults_per_call(lambda: rnnlib_loss(params, x, y), 10)
    line = f"  minor page faults per call: rnnlib {faults:.0f}"
    if torch is not None:
        step = TorchStep(torch, params, x, y)
        line += f", torch {minor_faults_per_call(step, 10):.0f}"
    print(line)


def _unchecked(cell, params, x, y):
    """rnn_loss(params, x, y, cell=cell)'s computation, the layers chained with check=False."""
    forward, backward = {"rnn": (rnnlib.rnn_forward, rnnlib.rnn_backward),
                         "lstm": (rnnlib.lstm_forward, rnnlib.lstm_backward),
                         "gru": (rnnlib.gru_forward, rnnlib.gru_backward)}[cell]

    def call():
        h, cache = forward(x, params, check=False)
        o, out_cache = rnnlib.output_forward(h, params, check=False)
        value, do = rnnlib.mse_loss(o, y, check=False)
        dh, out_grads = rnnlib.output_backward(do, out_cache, check=False)
        return value, {**backward(dh, cache, check=False)[-1], **out_grads}
    return call


def check_overhead(case, dtype, budget):
    """Print, per cell, what rnn_loss's input checks cost against the whole call."""
    from rnnlib import model
    from workloads import make_gated_data

    T, B, D, H = case
    K = D
    print(f"\n(T, B, D, H) = {case}, K = {K}, {np.dtype(dtype).name}: the input checks of "
          f"rnn_loss(..., cell=...), medians, microseconds")
    print("  'checks' = rnn_loss's checks alone (the choices, then x, params, h0, targets against")
    print("  each other: model._check_cell and model._check_rnn_inputs); 'unchecked' = the same")
    print("  layers chained with check=False.")
    print(f"  {'cell':5s} {'rnn_loss':>9s} {'unchecked':>10s} {'difference':>17s} {'checks':>15s}")
    for cell in ("rnn", "lstm", "gru"):
        params, x, y = (make_data(T, B, D, H, K, dtype) if cell == "rnn"
                        else make_gated_data(cell, T, B, D, H, K, dtype))

        def checks():
            model._check_choices("mse", "sum")
            model._check_cell(cell, "tanh")
            return model._check_rnn_inputs(x, params, None, y, "mse", "T B K", cell)
        fns = {"rnn_loss": lambda: rnnlib.rnn_loss(params, x, y, cell=cell),
               "unchecked": _unchecked(cell, params, x, y), "checks": checks}
        med, _ = median_times(fns, budget=budget, min_repeats=5, max_repeats=2000)
        whole = med["rnn_loss"]
        diff = whole - med["unchecked"]
        print(f"  {cell:5s} {whole * 1e6:9.1f} {med['unchecked'] * 1e6:10.1f} "
              f"{diff * 1e6:9.1f} ({100 * diff / whole:4.1f} %) "
              f"{med['checks'] * 1e6:7.1f} ({100 * med['checks'] / whole:4.1f} %)")
