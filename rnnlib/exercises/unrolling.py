"""Chapter 2's self-checking exercise: the RNN unrolled by hand, a loop of steps forward and back.

The learner writes

    unrolled_forward(x, params, h0) -> (h, caches)
        h_t = rnn_step_forward(x_t, h_{t-1}, params) for t = 1..T; h (T, B, H), caches a list
        of the T step caches
    unrolled_backward(dh_out, caches) -> (dx, dh0, grads)
        for t = T..1: (dx_t, dh_next, grads_t) = rnn_step_backward(dh_out_t + dh_next, cache_t),
        grads = sum_t grads_t

and :func:`check_unrolled_rnn` compares both with :func:`rnnlib.rnn_forward` and
:func:`rnnlib.rnn_backward` (and the backward with finite differences) on four cases: T = 1 and
T = 2 (where an off-by-one in the loop hides or shows first), B = 1, H = 1, and a longer one.
The forward pass is judged on h and on every field of every cache (a forward whose states are
right but whose caches are not would make a right backward pass wrong). The backward pass is run
on the caches of a correct forward pass, so each function gets its own verdict. Every case starts
from a nonzero h_0, so a forgotten h_0 shows.
"""
import numpy as np

from .._validate import function
from ..rnn import StepCache, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from ._checker import Case, Mistake, combine, numeric_gradient, run_checks, unpack_result

CACHE_FIELDS = ("x_t", "h_prev", "h_t", "W_xh", "W_hh")
FORWARD_OUTPUTS = ("h",) + tuple(f"caches[t].{f}" for f in CACHE_FIELDS)
BACKWARD_OUTPUTS = ("dx", "dh0", "grads['W_xh']", "grads['W_hh']", "grads['b_h']")
RNN_KEYS = ("W_xh", "W_hh", "b_h")

FORWARD_IN_PLACE = ("The forward pass must leave x, params and h0 as they are: build the list "
                    "of states anew instead of assigning into an argument.")
BACKWARD_IN_PLACE = ("The backward pass must leave dh_out and the caches as they are: write "
                     "`dh_t = dh_out[t] + dh_next`, not `dh_out[t] += dh_next`.")


# ---- the forward loop and its mistakes -------------------------------------------------------

def _forward(x, params, h0, *, first="h0", carry=True, store="h_t", caches_as="each"):
    """The unrolled forward pass, with the mistakes as options (the defaults are right)."""
    start = h0 if first == "h0" else np.zeros_like(h0)
    h_prev, states, caches = start, [], []
    for x_t in x:
        h_t, cache = rnn_step_forward(x_t, h_prev, params)
        states.append(h_t if store == "h_t" else h_prev)
        caches.append(cache)
        h_prev = h_t if carry else start
    if caches_as == "last":
        caches = [caches[-1]] * len(caches)
    elif caches_as == "reversed":
        caches = caches[::-1]
    return np.stack(states), caches


FORWARD_MISTAKES = [
    Mistake("h0 not passed to the first step",
            "step 1 must start from the h0 it is given: h_prev = h0 before the loop. Starting "
            "from zeros (or from an h_prev left over from elsewhere) forgets the initial state.",
            lambda x, p, h0: _forward(x, p, h0, first="zeros")),
    Mistake("the new state not carried to the next step",
            "after each step set h_prev = h_t, so that step t + 1 reads h_t; here every step "
            "starts from h0, and the network has no memory beyond one step.",
            lambda x, p, h0: _forward(x, p, h0, carry=False)),
    Mistake("the state before the step stored",
            "h[t] must be the state the step returns, h_t; storing h_prev (the state it started "
            "from) shifts h by one step: h_0, h_1, ..., h_{T-1}.",
            lambda x, p, h0: _forward(x, p, h0, store="h_prev")),
    Mistake("every entry of caches is the same cache (the last step's)",
            "append each step's own cache inside the loop (caches.append(cache)), so that "
            "caches[t] belongs to step t; [cache] * T after the loop repeats step T's cache, and "
            "a right backward pass fed it uses step T's x_t, h_prev and h_t at every step.",
            lambda x, p, h0: _forward(x, p, h0, caches_as="last")),
    Mistake("the caches stored in reverse order",
            "caches[t] must be step t's cache, in time order like h; the backward pass walks "
            "them from T down to 1 itself (reversed(range(T))). Inserting each cache at the "
            "front, or reversing the list, hands step t the cache of step T + 1 - t.",
            lambda x, p, h0: _forward(x, p, h0, caches_as="reversed")),
]


def _unpack_forward(returned):
    """{"h": h} from ``(h, caches)``; ValueError in plain words for any other structure."""
    if not isinstance(returned, tuple) or len(returned) != 2:
        got = (f"a tuple of {len(returned)} values" if isinstance(returned, tuple)
               else f"a {type(returned).__name__}")
        raise ValueError(f"it must return (h, caches), 2 values, but returned {got}.")
    h, caches = returned
    if h is None or h is Ellipsis:
        return {"h": h}
    if not isinstance(caches, (list, tuple)):
        raise ValueError(f"caches must be a list of the step caches returned by "
                         f"rnn_step_forward, got a {type(caches).__name__}.")
    steps = np.shape(h)[0] if np.ndim(h) else 0
    if len(caches) != steps:
        raise ValueError(f"caches must hold one step cache per step: h has {steps} steps, "
                         f"caches has {len(caches)} entries.")
    wrong = [type(c).__name__ for c in caches if not isinstance(c, StepCache)]
    if wrong:
        raise ValueError(f"each entry of caches must be the cache returned by rnn_step_forward "
                         f"(a StepCache), got a {wrong[0]}.")
    fields = {}
    for f in CACHE_FIELDS:
        try:
            values = [np.asarray(getattr(c, f), np.float64) for c in caches]
        except (TypeError, ValueError):
            raise ValueError(f"the field {f} of each cache must be a NumPy array of numbers, as "
                             f"rnn_step_forward returns it.") from None
        odd = next((t for t, v in enumerate(values) if v.shape != values[0].shape), None)
        if odd is not None:
            raise ValueError(f"caches[0].{f} has shape {values[0].shape} but caches[{odd}].{f} "
                             f"has shape {values[odd].shape}: each entry must be the cache of "
                             f"one step, as rnn_step_forward returns it.")
        fields[f"caches[t].{f}"] = np.stack(values)
    return {"h": h, **fields}


# ---- the backward loop and its mistakes ------------------------------------------------------

def _backward(dh_out, caches, *, keep="sum", recurrent="before", order="reverse", cache_shift=0,
              dx_order="time", scale=1.0):
    """The unrolled backward pass, with the mistakes as options (the defaults are right)."""
    T = len(caches)
    dh_next = np.zeros_like(dh_out[0])
    grads, dxs = None, []
    steps = reversed(range(T)) if order == "reverse" else range(T)
    for t in steps:
        cache = caches[t - cache_shift]
        dh_t = dh_out[t] + dh_next if recurrent == "before" else dh_out[t]
        dx_t, dh_prev, step_grads = rnn_step_backward(dh_t, cache)
        dh_next = dh_prev + dh_next if recurrent == "after" else dh_prev
        dxs.append((t, dx_t))
        if grads is None or keep == "last processed":
            grads = dict(step_grads)
        elif keep == "sum":
            grads = {k: grads[k] + step_grads[k] for k in RNN_KEYS}
        # keep == "first processed": the gradients of step T, the first visited, stay
    if dx_order == "time":
        dxs.sort(key=lambda pair: pair[0])
    dx = np.stack([d for _, d in dxs])
    return dx, dh_next, {k: scale * g for k, g in grads.items()}


BACKWARD_MISTAKES = [
    Mistake("the shared weights' gradients overwritten, not accumulated (only step 1's kept)",
            "the same W_xh, W_hh, b_h are used at every step, so their gradient is the sum of the "
            "T steps' gradients: start from zeros and add each step's (grads[k] += step_grads[k]). "
            "Assigning keeps only the last step the loop visits, step 1.",
            lambda dh, c: _backward(dh, c, keep="last processed")),
    Mistake("only step T's gradients kept",
            "the gradient of a shared weight adds the gradients of all T steps, not only those of "
            "the first step the backward loop visits (step T).",
            lambda dh, c: _backward(dh, c, keep="first processed")),
    Mistake("the shared weights' gradients averaged over the steps",
            "the gradient of a weight used T times is the sum of the T steps' gradients; "
            "dividing by T belongs to a loss that averages (reduction='mean'), not to BPTT.",
            lambda dh, c: _backward(dh, c, scale=1.0 / len(c))),
    Mistake("the recurrent gradient dh_next not added",
            "h_t reaches the loss along two paths, through its output and through h_{t+1}: step t "
            "gets dh_out[t] + dh_next, where dh_next is the dh_prev that step t + 1 returned.",
            lambda dh, c: _backward(dh, c, recurrent="none")),
    Mistake("dh_next added after the step instead of before",
            "the gradient from step t + 1 must go through step t too: add it to the step's input, "
            "rnn_step_backward(dh_out[t] + dh_next, cache), not to the dh_prev the step returns.",
            lambda dh, c: _backward(dh, c, recurrent="after")),
    Mistake("the backward loop run forwards (t = 1..T)",
            "the gradient flows from the last step to the first: loop t = T..1 "
            "(reversed(range(T))), so that dh_next is known when step t needs it.",
            lambda dh, c: _backward(dh, c, order="forward")),
    Mistake("the cache of step t - 1 used at step t (off by one)",
            "step t's backward needs step t's own cache, caches[t] with 0-based t; caches[t - 1] "
            "is the step before (and at t = 0 Python's caches[-1] silently gives the last step).",
            lambda dh, c: _backward(dh, c, cache_shift=1)),
    Mistake("dx stored in the order of the backward loop",
            "the loop visits t = T..1, so appending dx_t gives dx backwards in time; store "
            "dx[t] = dx_t (or reverse the list) so that dx[t] belongs to x[t].",
            lambda dh, c: _backward(dh, c, dx_order="loop")),
]

BACKWARD_SHAPE_HINTS = {
    "dx": "dx has the shape of x, (T, B, D): one dx_t (B, D) per step, stacked in time order.",
    "dh0": "dh0 has the shape of h0, (B, H): the dh_next left after step 1.",
    "grads['W_xh']": "dW_xh has the shape of W_xh, (D, H): the sum of the T steps' dW_xh.",
    "grads['W_hh']": "dW_hh has the shape of W_hh, (H, H): the sum of the T steps' dW_hh.",
    "grads['b_h']": "db_h has the shape of b_h, (H,): the sum of the T steps' db_h.",
}
FORWARD_SHAPE_HINTS = {"h": "h has shape (T, B, H): the T states h_1..h_T, stacked in time order."}
FORWARD_SHAPE_HINTS.update({f"caches[t].{f}": f"caches[t] must be the cache rnn_step_forward "
                            f"returned at step t + 1 (0-based t), whose {f} is the one of that "
                            "step." for f in CACHE_FIELDS})
TIME_AXES = {name: 0 for name in FORWARD_OUTPUTS + ("dx",)}


def _unpack_backward(returned):
    return unpack_result(returned, BACKWARD_OUTPUTS, "(dx, dh0, grads)")


# ---- the cases -------------------------------------------------------------------------------

# (T, B, D, H): T = 1 and T = 2 (where loop mistakes hide or first show), B = 1, H = 1, and a
# longer sequence with D != H.
SHAPES = ((1, 2, 3, 2), (2, 1, 2, 3), (3, 3, 2, 1), (4, 2, 3, 4))


def _cases(seed=2):
    rng = np.random.default_rng(seed)
    forward, backward = [], []
    for T, B, D, H in SHAPES:
        arrays = {"x": rng.standard_normal((T, B, D)), "h0": 0.8 * np.tanh(rng.standard_normal((B, H))),
                  "W_xh": 0.6 * rng.standard_normal((D, H)),
                  "W_hh": rng.standard_normal((H, H)) / np.sqrt(H), "b_h": 0.1 * rng.standard_normal(H)}
        dh_out = rng.standard_normal((T, B, H))
        params = {k: arrays[k] for k in RNN_KEYS}
        label = f"T={T}, B={B}, D={D}, H={H}"
        h, cache = rnn_forward(arrays["x"], params, arrays["h0"])
        step_caches = [rnn_step_forward(arrays["x"][t], h[t - 1] if t else arrays["h0"], params)[1]
                       for t in range(T)]
        traits = tuple(trait for trait, holds in (
            (("T = 1", "one step, so nothing is summed over steps, carried from one step to the "
              "next, or put in time order"), T == 1),
            (("B = 1", "one example, so a sum or a mean over the batch changes nothing"), B == 1),
            (("H = 1", "one hidden unit: W_hh is 1 x 1, equal to its transpose, and a factor "
              "H or 1/H is 1"), H == 1)) if holds)
        dims = {"T": T, "B": B, "D": D, "H": H}
        forward.append(Case(label, (arrays["x"], params, arrays["h0"]),
                            _unpack_forward((h, step_caches)), {}, dims=dims, traits=traits))

        def loss(x, h0, W_xh, W_hh, b_h):
            return float(np.sum(rnn_forward(x, {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}, h0)[0]
                                * dh_out))

        expected = _unpack_backward(rnn_backward(dh_out, cache))
        fd = numeric_gradient(loss, arrays)
        numeric = dict(zip(BACKWARD_OUTPUTS, (fd["x"], fd["h0"], fd["W_xh"], fd["W_hh"], fd["b_h"])))
        backward.append(Case(label, (dh_out, step_caches), expected, numeric, dims=dims,
                             traits=traits))
    return forward, backward


def check_unrolled_rnn(forward, backward):
    """Check a learner's unrolled forward and backward passes, loops of RNN steps.

    ``forward(x, params, h0) -> (h, caches)`` gets x (T, B, D), params with W_xh (D, H),
    W_hh (H, H), b_h (H,), and h0 (B, H); it must return h (T, B, H) with h_1..h_T and the list
    of the T caches of :func:`rnnlib.rnn_step_forward`:

        h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h),   t = 1..T, from h0

    ``backward(dh_out, caches) -> (dx, dh0, grads)`` gets dh_out (T, B, H), the gradient reaching
    each h_t from its output, and the caches of a correct forward pass; it must return dx
    (T, B, D), dh0 (B, H) and ``grads`` with W_xh (D, H), W_hh (H, H), b_h (H,):

        for t = T..1:  (dx_t, dh_next, g_t) = rnn_step_backward(dh_out_t + dh_next, cache_t)
        dh0 = the last dh_next,   grads = sum over t of g_t

    Both are compared with :func:`rnnlib.rnn_forward` / :func:`rnnlib.rnn_backward` on four cases
    (T = 1, T = 2 with B = 1, H = 1, T = 4), the forward's caches field by field with the step
    caches of the reference (caches[t].x_t, .h_prev, .h_t, .W_xh, .W_hh), the backward also with
    finite differences.

    Returns
    -------
    CheckResult : passed when both functions pass; the message gives each function's verdict,
        the outputs that are wrong and the mistake they match. Shows as HTML in a notebook.
    """
    function("forward", forward)  # both, before the learner's code runs
    function("backward", backward)
    forward_cases, backward_cases = _cases()
    results = [
        run_checks(forward, exercise="unrolled_forward", cases=forward_cases,
                   unpack=_unpack_forward, mistakes=FORWARD_MISTAKES,
                   shape_hints=FORWARD_SHAPE_HINTS, in_place_hint=FORWARD_IN_PLACE,
                   name="forward", time_axes=TIME_AXES),
        run_checks(backward, exercise="unrolled_backward", cases=backward_cases,
                   unpack=_unpack_backward, mistakes=BACKWARD_MISTAKES,
                   shape_hints=BACKWARD_SHAPE_HINTS, in_place_hint=BACKWARD_IN_PLACE,
                   name="backward", time_axes=TIME_AXES),
    ]
    return combine("unrolled RNN", results)
