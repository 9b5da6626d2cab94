"""Chapter 7's lag-task sweep, written by ``python -m rnnlib.chapters.vanishing``: held-out
accuracies [lag][seed] of train_lag, without and with clipping."""
SWEEP = {'cell': 'rnn',
 'clip': 1.0,
 'clipped': [[1.0, 1.0, 1.0],
             [1.0, 1.0, 1.0],
             [1.0, 1.0, 1.0],
             [0.296875, 0.2578125, 0.9765625],
             [0.296875, 0.26953125, 0.99609375],
             [0.2578125, 0.23046875, 0.24609375]],
 'lags': [4, 8, 16, 24, 32, 48],
 'plain': [[1.0, 1.0, 1.0],
           [1.0, 1.0, 1.0],
           [1.0, 1.0, 1.0],
           [0.25, 0.2421875, 0.99609375],
           [0.2734375, 0.2734375, 1.0],
           [0.2890625, 0.23828125, 0.2734375]],
 'seeds': [0, 1, 2],
 'success': 0.9}
