r"""rnnlib: the NumPy code read beside the math of the book *Recurrent Neural Networks, Executed*.

Convention (used by every function, every chapter and every equation of the book)
-------------------------------------------------------------------------------
Dimension letters, declared once:

    T  time steps        B  batch size (examples)     D  input features
    H  hidden units      K  outputs (regression targets or classes)

* **Time-major**: a sequence batch is ``x`` of shape (T, B, D). Steps count from 1 in the
  equations (x_1 .. x_T, h_0 the initial state) and from 0 in arrays: x_t is ``x[t-1]``, h_t is
  ``h[t-1]`` of :func:`rnn_forward`, and ``dh_out[t-1]`` is the gradient reaching h_t from its
  output.
* **Rows are examples**: vectors are rows, so equations read ``x_t W_xh`` and the code is
  literally ``x[t-1] @ W_xh``.

    a_t = x_t W_xh + h_{t-1} W_hh + b_h       (B, H)
    h_t = tanh(a_t)                          (B, H)
    o_t = h_t W_hy + b_y                     (B, K)

  The prediction is o_t itself for regression; for classification o_t holds the logits and
  y_hat_t = softmax(o_t) (B, K) is the predicted distribution. ``y`` is always a target; the y
  in W_hy and b_y names the output layer.

* Parameters live in a dict ``params`` with keys W_xh (D, H), W_hh (H, H), b_h (H,),
  W_hy (H, K), b_y (K,). Gradients live in a dict with the same keys and shapes: ``grads["W_hh"]``
  is dL/dW_hh. Everywhere, ``dX`` means dL/dX, the *total* derivative of the loss through every
  path from X to L, and has the shape of X. The symbol ∂ is kept for *partial* derivatives,
  ∂f/∂X with f's other arguments held fixed; a total derivative is never written with ∂.
* The gradient reaching h_t has two parts: ``dh_out`` from the output at step t and
  ``dh_next`` from step t+1 (dh_t = dh_out_t + dh_next_t, dh_next_t = da_{t+1} W_hh^T; zero
  at t = T). A shared parameter's step-t term is ``dW_hh_t`` = h_{t-1}^T da_t (the math's
  dW_hh^(t), the term of the copy W_hh^(t) used at step t); dW_hh is their sum over t.
* Losses are per position (one example at one step) and summed over positions unless
  ``reduction="mean"`` (divide by their number): ``reduction="sum"`` is the default of every
  loss.
* Forward functions return ``(output, cache)``; the matching backward takes
  ``(upstream gradient, cache)``.
* Randomness only through a ``numpy.random.Generator`` passed in.

Input checks
------------
Every public function, core and chapter helper alike, checks its arguments once, at its entry,
before computing anything (O(size of the arguments)):

1. A bad argument raises ``ValueError`` or ``TypeError`` whose message names it as the signature
   spells it (a dict entry as ``params['W_hh']``, ``grads['b_h']``, ``state['m']``), says what
   was expected and what came: never a KeyError, IndexError or AttributeError, a NumPy broadcast
   or ufunc message, nor a name the caller never wrote.
2. Choices (``activation``, ``loss``, ``reduction``, ``outputs``, ...) given anything else, of
   any type (a list, None, an int), get one message: "must be one of [...]".
3. A backward function refuses any cache but its own forward's ("cache must be the cache
   returned by rnn_step_forward, got ..."). Caches are small NamedTuples (``StepCache``,
   ``RNNCache``, ``OutputCache``, ``AffineCache``, ``FNNCache``, ``ActivationCache``):
   ``cache.h_prev`` reads better than ``cache[1]``, and they still unpack like tuples.
4. Numbers (``lr``, ``max_norm``, ``eps``, ``beta1``, ``k``, ``D``, ``axis``, ...) are real,
   finite scalars in range: learning rates >= 0, betas in [0, 1), step sizes and ``eps`` > 0
   (PyTorch's optimizers refuse less), sizes integers >= 1 and never a bool, an axis an integer
   the array has. ``dtype`` is a floating-point type.
5. Arrays are real (integers and bools become float64), finite, non-empty, with the shapes of
   the letters above (each letter bound at its first use; class labels in [0, K)). The
   optimizers and clipping check their dicts the same way, with the keys and shapes of
   ``params``; a NaN or inf gradient raises, naming ``grads['W_hh']`` and its first bad index,
   and says how to keep training from diverging (lower the learning rate, clip). Adam's state
   holds ``m``, ``v`` (>= 0) and a step count ``t`` >= 0.
6. The gradient checks put every perturbed entry back, also when the function raises; they
   refuse an ``eps`` that is not finite and positive, a function that returns a non-scalar or
   non-finite value (naming the entry being perturbed), gradients that lack a key, and float32
   or float16 arrays (a step of 1e-6 is lost in their rounding; see :mod:`rnnlib.gradcheck`).
7. Overflow from finite inputs is not a bad argument: it gives inf/NaN as NumPy does, or a clear
   error naming the caller's argument. So a function that chains layers checks the caller's
   arrays once and runs the layers with ``check=False`` (as ``scipy.linalg`` takes
   ``check_finite=False``): ``rnn_loss`` checks x, params, h0 and targets, then passes
   ``check=False`` to the layers it chains, whose inputs (h, o, do, dh) it made itself.
8. Nothing is changed: no call modifies its arguments, whether it succeeds or fails (a
   ``Generator`` passed in is drawn from, as its purpose is).

tests/test_bad_input_property.py feeds bad arguments of each kind to every public function and
checks rules 1-6 and 8 for each; tests/test_validation.py holds the overflow cases of rule 7.

The same network in other notations
-----------------------------------
Columns: Goodfellow et al. 2016 (column vectors), Karpathy's min-char-rnn (columns), d2l's RNN
section (rows, as here), PyTorch ``nn.RNN`` + ``nn.Linear`` (weights stored (out, in)).

============  ==================  ===============  ===============  =====================================
this book     Goodfellow et al.   min-char-rnn     d2l (RNN sec.)   PyTorch
============  ==================  ===============  ===============  =====================================
W_xh (D, H)   U = W_xh^T (H, D)   Wxh = W_xh^T     W_xh (d, h)      weight_ih_l0 = W_xh^T (H, D)
W_hh (H, H)   W = W_hh^T          Whh = W_hh^T     W_hh (h, h)      weight_hh_l0 = W_hh^T (H, H)
b_h  (H,)     b                   bh               b_h (1, h)       bias_ih_l0 + bias_hh_l0
W_hy (H, K)   V = W_hy^T (K, H)   Why = W_hy^T     W_hq (h, q)      Linear.weight = W_hy^T (K, H)
b_y  (K,)     c                   by               b_q (1, q)       Linear.bias
h_t  (B, H)   h^(t) (H, 1)        hs[t-1]          H_t (n, h)       output[t-1] (B, H); output (T, B, H)
o_t  (B, K)   o^(t)               ys[t-1]          O_t (n, q)       Linear(output)[t-1]
============  ==================  ===============  ===============  =====================================

The array indices are 0-based, as here: h_t is ``hs[t-1]`` (min-char-rnn keeps h_0 in
``hs[-1]``) and ``output[t-1]``.

d2l's section on BPTT switches to columns without biases (h_t = W_hx x_t + W_hh h_{t-1},
o_t = W_qh h_t, so W_hx = W_xh^T, W_qh = W_hy^T) and averages the loss over T. cs231n's
``rnn_layers.py`` uses rows as here (Wx (D, H), Wh (H, H)) but batch-major (N, T, D). The book's
page "Notation and shapes" (book/notation.md) has the same table with notes.

Modules
-------
activations  tanh, sigmoid, relu, identity with derivatives from outputs
layers       affine layer, the feed-forward network of chapter 1
rnn          one step and the whole sequence, forward and backward (BPTT), output layer
losses       softmax, log-softmax, half squared error, softmax cross-entropy (summed over
             positions unless reduction="mean")
model        networks wired to a loss: ``loss, grads = rnn_loss(params, x, targets)``
truncated    truncated BPTT in chunks of k steps: ``rnn_loss_truncated(params, x, targets, k)``
gradcheck    centred finite differences and relative error
optim        gradient clipping, SGD, Adam
train        the training loop the chapters share: ``rnnlib.train(loss_and_grads, params, steps, lr=...)``
init         random parameters from a Generator
stacked      bidirectional and stacked layers, compositions of rnn_forward/rnn_backward
generate     generation with each output fed back as the next input: ``rnn_generate``
sample       sampling with a temperature, one step (``sample_step``) or a sequence (``rnn_sample``)
embedding    word ids as input: rows of W_emb looked up, their gradient added once per occurrence
lengths      many-to-one over sequences of different lengths: each one's own last state

Outside the core (the core never imports them; ``import rnnlib`` needs only NumPy):

datasets     toy sequence tasks generated from a Generator (``datasets.delayed_echo``)
exercises    self-checking exercises, one module per chapter: ``exercises.check_rnn_step_backward(fn)``
             runs the learner's function and names the mistake its outputs match
chapters     chapter helpers, one module per chapter named like its notebook
             (``chapters.fnn_vs_rnn``: the worked example, its tables and widget), and
             ``chapters.display``, what the chapters share: HTML tables, the unrolled graph,
             figures, animations, and ``interactive(view, sliders)``, the widget pattern
             (matplotlib and ipywidgets are imported only by the functions that draw)

Gated cells: LSTM and GRU
-------------------------
lstm         the LSTM, one step and the whole sequence, forward and backward: ``lstm_forward``
gru          the GRU (PyTorch's variant), the same: ``gru_forward``; ``rnn_loss(..., cell="gru")``

Their gate weights are stacked side by side in PyTorch's gate orders (LSTM i, f, g, o; GRU r, z,
n), the same keys as the RNN's with 4H or 3H columns: W_xh = [W_xi | W_xf | W_xg | W_xo] (D, 4H),
W_hh = [W_hi | W_hf | W_hg | W_ho] (H, 4H), b_h (4H,); for the GRU W_xh = [W_xr | W_xz | W_xn]
(D, 3H), W_hh = [W_hr | W_hz | W_hn] (H, 3H), b_h = [b_r | b_z | b_xn] (3H,) and b_hn (H,), the
recurrent bias of n_t = tanh(x_t W_xn + b_xn + r_t * (h_{t-1} W_hn + b_hn)). PyTorch:
weight_ih_l0 = W_xh^T, weight_hh_l0 = W_hh^T (row blocks in the same gate order); LSTM
bias_ih_l0 + bias_hh_l0 = b_h; GRU bias_ih_l0 = b_h, bias_hh_l0 = [0 | 0 | b_hn]. The LSTM's
cell state c_t (B, H) is in ``cache.c``; ``lstm_backward`` returns dc0 beside dh0. The page
"Notation and shapes" (book/notation.md) has the table, section "Gated cells: LSTM and GRU".
"""
from .activations import ACTIVATIONS, activation_backward, activation_forward
from .embedding import embedding_backward, embedding_forward
from .generate import rnn_generate
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward, init_gru_params
from .init import init_rnn_params
from .lengths import rnn_last_backward, rnn_last_forward
from .layers import affine_backward, affine_forward, fnn_backward, fnn_forward
from .losses import log_softmax, mse_loss, softmax, softmax_cross_entropy
from .lstm import init_lstm_params, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from .model import fnn_loss, rnn_loss, rnn_predict
from .optim import adam_init, adam_step, clip_grad_norm, clip_grad_value, global_norm, sgd_step
from .rnn import (output_backward, output_forward, rnn_backward, rnn_forward, rnn_step_backward,
                  rnn_step_forward)
from .sample import rnn_sample, sample_step
from .stacked import birnn_backward, birnn_forward, stacked_backward, stacked_forward
from .train import Training, train
from .truncated import rnn_loss_truncated

__all__ = [
    "ACTIVATIONS", "activation_forward", "activation_backward",
    "affine_forward", "affine_backward", "fnn_forward", "fnn_backward",
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "output_forward", "output_backward",
    "softmax", "log_softmax", "mse_loss", "softmax_cross_entropy",
    "fnn_loss", "rnn_loss", "rnn_predict", "rnn_loss_truncated",
    "numerical_gradient", "relative_error", "check_gradients",
    "global_norm", "clip_grad_norm", "clip_grad_value", "sgd_step", "adam_init", "adam_step",
    "init_rnn_params", "train", "Training",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward", "init_lstm_params",
    "gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward", "init_gru_params",
    "birnn_forward", "birnn_backward", "stacked_forward", "stacked_backward", "rnn_generate",
    "embedding_forward", "embedding_backward", "rnn_last_forward", "rnn_last_backward",
    "sample_step", "rnn_sample",
]
__version__ = "0.1.0"
