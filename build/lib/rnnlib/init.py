"""Parameter initialisation. Randomness comes only from the ``numpy.random.Generator`` passed in."""
import numpy as np


def init_rnn_params(D, H, K, rng, dtype=np.float64):
    """Random RNN + output-layer parameters, uniform in +-1/sqrt(fan_in) (as PyTorch's nn.RNN).

    Parameters
    ----------
    D, H, K : int, input, hidden and output sizes.
    rng : numpy.random.Generator
    dtype : float dtype of the arrays

    Returns
    -------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    for name, size in (("D", D), ("H", H), ("K", K)):
        if not (isinstance(size, (int, np.integer)) and size > 0):
            raise ValueError(f"{name} must be a positive integer, got {size!r}")
    shapes = {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,), "W_hy": (H, K), "b_y": (K,)}
    bound = {"W_xh": H, "W_hh": H, "b_h": H, "W_hy": H, "b_y": H}
    return {k: (rng.uniform(-1, 1, s) / np.sqrt(bound[k])).astype(dtype) for k, s in shapes.items()}
