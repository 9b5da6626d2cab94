"""Softmax and the two losses of the book, each returning ``(loss, gradient)``.

Every loss is computed per *position* (one example at one time step: the leading axes of the
prediction) and then reduced over positions, as the ``reduction`` argument says:

* ``"sum"``, the default: add the losses of all N positions (the worked example of chapter 1);
* ``"mean"``: divide that sum by N, the number of positions (T * B for a sequence batch).

So a loss is summed over positions unless ``reduction="mean"``.

The last axis (K outputs or classes) is always summed inside a position's loss.
"""
import numpy as np

from ._validate import Dims, axis as check_axis, choice, flag, labels_array, same_shape

REDUCTIONS = ("sum", "mean")


def softmax(logits, axis=-1):
    """Softmax along ``axis``: p_k = exp(o_k) / sum_j exp(o_j).

    Subtracting max_j o_j first changes nothing mathematically and keeps exp from overflowing.

    Parameters
    ----------
    logits : (..., K)
    axis : int, an axis of ``logits`` (the last by default).

    Returns
    -------
    p : (..., K), non-negative, summing to 1 along ``axis``.
    """
    logits = Dims().array("logits", logits, "... K")
    axis = check_axis("axis", axis, logits.ndim, "logits")
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(logits, axis=-1, *, check=True):
    """Log of the softmax, computed as o_k - logsumexp(o) so it stays finite for huge logits.

    Parameters
    ----------
    logits : (..., K)
    axis : int, an axis of ``logits`` (the last by default).
    check : bool
        Check ``logits`` and ``axis`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    log_p : (..., K)
    """
    if flag("check", check):
        logits = Dims().array("logits", logits, "... K")
        axis = check_axis("axis", axis, logits.ndim, "logits")
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _positions(shape, reduction):
    choice("reduction", reduction, REDUCTIONS)
    return 1 if reduction == "sum" else int(np.prod(shape))


def mse_loss(y_pred, y, reduction="sum", *, check=True):
    """Half squared error, summed over positions unless ``reduction="mean"``:

        L = scale * sum over positions of 1/2 ||y_pred - y||^2
        dL/dy_pred = scale * (y_pred - y)

    The 1/2 makes the gradient exactly the error. scale = 1 for ``"sum"`` (the default) and 1/N
    for ``"mean"`` (N positions = all axes but the last). PyTorch's ``MSELoss`` has no 1/2 and
    its mean also divides by K.

    Parameters
    ----------
    y_pred : (..., K)
        The prediction: for regression, the network's output o itself.
    y : (..., K), the target, same shape as ``y_pred``.
    reduction : {"sum", "mean"}, "sum" by default.
    check : bool
        Check ``y_pred`` and ``y`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    loss : float
    dy_pred : (..., K)
        dL/dy_pred (do, when y_pred is the output o).
    """
    if flag("check", check):
        y_pred = Dims().array("y_pred", y_pred, "... K")
        y = same_shape("y", y, y_pred.shape, "y_pred")
    scale = 1.0 / _positions(y_pred.shape[:-1], reduction)
    error = y_pred - y
    return float(0.5 * scale * np.sum(error * error)), scale * error


def softmax_cross_entropy(logits, labels, reduction="sum", *, check=True):
    """Softmax followed by the negative log-likelihood of the true class, summed over positions
    unless ``reduction="mean"``:

        y_hat = softmax(o),   L = scale * sum over positions of -log y_hat[label]
        dL/do = scale * (y_hat - onehot(label))

    with scale = 1 for ``"sum"`` (the default) and 1/N for ``"mean"``. Uses :func:`log_softmax`, so it stays
    finite for logits of any size.

    Parameters
    ----------
    logits : (..., K)
    labels : integer array of the shape of ``logits`` without its last axis, values in [0, K):
        the target classes.
    reduction : {"sum", "mean"}, "sum" by default.
    check : bool
        Check ``logits`` and ``labels`` first (see :mod:`rnnlib`, "Input checks").

    Returns
    -------
    loss : float
    dlogits : (..., K)
    """
    if flag("check", check):
        logits = Dims().array("logits", logits, "... K")
        labels = labels_array("labels", labels, logits.shape[-1], logits.shape[:-1])
    scale = 1.0 / _positions(logits.shape[:-1], reduction)
    log_p = log_softmax(logits, check=False)
    picked = np.take_along_axis(log_p, labels[..., None], axis=-1)
    onehot = labels[..., None] == np.arange(logits.shape[-1])
    return float(-scale * picked.sum()), scale * (np.exp(log_p) - onehot)
