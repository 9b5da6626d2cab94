"""Chapter 4's self-checking exercise: the encoder-decoder's backward pass, wired from rnnlib's pieces.

The learner writes

    seq2seq_backward(do, out_cache, dec_cache, enc_cache) -> (dx, grads)
        dh_dec, g_out = output_backward(do, out_cache)
        _, dh0, g_dec = rnn_backward(dh_dec, dec_cache)      # dh0 = dL/ds_0 = dL/dh_T
        dh_enc = zeros (T, B, H) but dh_enc[T-1] = dh0         # the encoder's last step only
        dx, _, g_enc = rnn_backward(dh_enc, enc_cache)
        grads = enc_* from g_enc, dec_* from g_dec and g_out

and :func:`check_seq2seq_backward` compares dx and the eight gradients with the reference
(:func:`rnnlib.chapters.shapes.seq2seq_loss`'s wiring) and with finite differences, on four
cases: an encoder of one step (where "every step" and "the last step" are the same), B = 1,
H = 1, and a longer one; the decoder's h_0 is the encoder's last state in all of them.
"""
import numpy as np

from .._validate import function
from ..rnn import output_backward, output_forward, rnn_backward, rnn_forward
from ._checker import Case, Mistake, numeric_gradient, run_checks, unpack_result

ENC = ("W_xh", "W_hh", "b_h")
DEC = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
KEYS = tuple(f"enc_{k}" for k in ENC) + tuple(f"dec_{k}" for k in DEC)
OUTPUTS = ("dx",) + tuple(f"grads['{k}']" for k in KEYS)

IN_PLACE_HINT = ("The backward pass must leave do and the caches as they are: make dh_enc with "
                 "np.zeros_like, never assign into a cache's arrays.")


def _backward(do, out_cache, dec_cache, enc_cache, *, inject="last", source="dh0"):
    """The encoder-decoder backward, with the mistakes as options (the defaults are right)."""
    dh_dec, g_out = output_backward(do, out_cache)
    _, dh0, g_dec = rnn_backward(dh_dec, dec_cache)
    into = dh0 if source == "dh0" else dh_dec[0]
    dh_enc = np.zeros_like(enc_cache.h)
    if inject == "last":
        dh_enc[-1] = into
    elif inject == "every":
        dh_enc[:] = into
    elif inject == "first":
        dh_enc[0] = into
    dx, _, g_enc = rnn_backward(dh_enc, enc_cache)
    grads = {**{f"enc_{k}": g_enc[k] for k in ENC},
             **{f"dec_{k}": g for k, g in {**g_dec, **g_out}.items()}}
    return dx, grads


MISTAKES = [
    Mistake("dh0 injected at every encoder step",
            "The decoder starts from the encoder's last state h_T only, so dL/dh_T = dh0 enters "
            "the encoder at its last step: dh_enc[-1] = dh0 with zeros elsewhere. The encoder's "
            "other states reach the loss only through h_T, and rnn_backward carries dh0 back to "
            "them itself.",
            lambda do, oc, dc, ec: _backward(do, oc, dc, ec, inject="every")),
    Mistake("no gradient into the encoder",
            "The encoder's gradients are zero, so it never learns: the decoder's rnn_backward "
            "returns dh0 = dL/ds_0, and s_0 is the encoder's h_T; put it into dh_enc[-1].",
            lambda do, oc, dc, ec: _backward(do, oc, dc, ec, inject="none")),
    Mistake("the decoder's dh0 dropped: the gradient of its first output passed instead",
            "dh_dec[0] is only the part of dL/ds_1 that comes from the output o_1; the gradient "
            "that reaches the encoder is dh0 = dL/ds_0, the second value rnn_backward returns "
            "for the decoder, which went through all of the decoder's steps.",
            lambda do, oc, dc, ec: _backward(do, oc, dc, ec, source="dh_out_1")),
    Mistake("dh0 injected at the encoder's first step",
            "The decoder starts from h_T, the encoder's LAST state (enc_cache.h[-1]): "
            "dh_enc[-1] = dh0, not dh_enc[0].",
            lambda do, oc, dc, ec: _backward(do, oc, dc, ec, inject="first")),
]

SHAPE_HINTS = {
    "dx": "dx has the shape of the encoder's x, (T, B, D): the dx rnn_backward returns for the "
          "encoder.",
    **{f"grads['{k}']": f"grads['{k}'] has the shape of params['{k}']." for k in KEYS},
}

# (T encoder steps, S decoder steps, B, D, H, K): an encoder of one step (where "every step" is
# the last step), B = 1, H = 1, and a longer one with T != S.
SHAPES = ((1, 2, 2, 3, 3, 2), (3, 2, 1, 2, 4, 3), (2, 3, 3, 2, 1, 2), (4, 3, 2, 3, 3, 4))


def _forward(x, x_dec, p):
    """The forward pass of the case: the caches the backward gets, and the output o."""
    enc = {k: p[f"enc_{k}"] for k in ENC}
    dec = {k: p[f"dec_{k}"] for k in DEC}
    h_enc, enc_cache = rnn_forward(x, enc)
    h_dec, dec_cache = rnn_forward(x_dec, dec, h_enc[-1])
    o, out_cache = output_forward(h_dec, dec)
    return o, out_cache, dec_cache, enc_cache


def _unpack(returned):
    return unpack_result(returned, OUTPUTS, "(dx, grads)")


def _cases(seed=4):
    rng = np.random.default_rng(seed)
    cases = []
    for T, S, B, D, H, K in SHAPES:
        shapes = {"enc_W_xh": (D, H), "enc_W_hh": (H, H), "enc_b_h": (H,), "dec_W_xh": (K + 1, H),
                  "dec_W_hh": (H, H), "dec_b_h": (H,), "dec_W_hy": (H, K), "dec_b_y": (K,)}
        p = {k: 0.7 * rng.standard_normal(s) for k, s in shapes.items()}
        x, x_dec = rng.standard_normal((T, B, D)), rng.standard_normal((S, B, K + 1))
        do = rng.standard_normal((S, B, K))
        o, *caches = _forward(x, x_dec, p)

        def loss(x, **params):
            return float(np.sum(_forward(x, x_dec, params)[0] * do))

        fd = numeric_gradient(loss, {"x": x, **p})
        numeric = {"dx": fd["x"], **{f"grads['{k}']": fd[k] for k in KEYS}}
        args = (do, *caches)
        cases.append(Case(f"T={T}, S={S}, B={B}, D={D}, H={H}, K={K}", args,
                          _unpack(_backward(*args)), numeric))
    return cases


def check_seq2seq_backward(fn):
    """Check a learner's encoder-decoder backward pass.

    ``fn(do, out_cache, dec_cache, enc_cache) -> (dx, grads)`` gets do (S, B, K), the gradient
    of the loss at the decoder's outputs, and the caches of :func:`rnnlib.output_forward` and
    :func:`rnnlib.rnn_forward` (decoder, then encoder) from a forward pass where the decoder
    starts from the encoder's last state. It must return the encoder's dx (T, B, D) and
    ``grads`` with enc_W_xh (D, H), enc_W_hh (H, H), enc_b_h (H,), dec_W_xh (E, H),
    dec_W_hh (H, H), dec_b_h (H,), dec_W_hy (H, K), dec_b_y (K,):

        dh_dec, g_out = output_backward(do, out_cache)
        _, dh0, g_dec = rnn_backward(dh_dec, dec_cache)
        dh_enc = 0 except dh_enc[T-1] = dh0;  dx, _, g_enc = rnn_backward(dh_enc, enc_cache)

    Compared with the reference and with finite differences on four cases (an encoder of one
    step, B = 1, H = 1, a longer one).

    Returns
    -------
    CheckResult : passed, or which outputs are wrong and the mistake they match.
    """
    function("fn", fn)
    return run_checks(fn, exercise="seq2seq_backward", cases=_cases(), unpack=_unpack,
                      mistakes=MISTAKES, shape_hints=SHAPE_HINTS,
                      in_place_hint=IN_PLACE_HINT, time_axes={"dx": 0})
