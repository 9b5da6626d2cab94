"""Parameter initialisation. Randomness comes only from the ``numpy.random.Generator`` passed in."""
import numpy as np

from ._validate import float_dtype, generator, integer


def init_rnn_params(D, H, K, rng, dtype=np.float64):
    """Random RNN + output-layer parameters, uniform in +-1/sqrt(fan_in) (as PyTorch's nn.RNN).

        W ~ U(-1/sqrt(H), 1/sqrt(H)) for every array (PyTorch's bound for nn.RNN and, with
        fan_in = H, for the output layer)

    Parameters
    ----------
    D, H, K : int >= 1, input, hidden and output sizes.
    rng : numpy.random.Generator
    dtype : a floating-point dtype of the arrays (np.float64, np.float32, ...)

    Returns
    -------
    params : dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, K), b_y (K,)
    """
    D, H, K = integer("D", D, low=1), integer("H", H, low=1), integer("K", K, low=1)
    generator("rng", rng)
    dtype = float_dtype("dtype", dtype)
    shapes = {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,), "W_hy": (H, K), "b_y": (K,)}
    return {k: (rng.uniform(-1, 1, s) / np.sqrt(H)).astype(dtype) for k, s in shapes.items()}
