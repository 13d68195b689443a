"""nodenet as an oracle for a whole training run: a NumPy Adam loop, checked step by step.

A gradient checker sees one backward pass; an optimizer that forgets its
bias correction, or a learning-rate schedule stepped after every batch,
passes it.  This walkthrough trains a small NumPy MLP (tanh hidden layer,
sigmoid output, mean squared error, 10 samples in batches of 4, Adam with a
step schedule) and lets ``compare_training`` replay it in nodenet:

1. the loop as written forgets Adam's bias correction: the report parts at
   step 1 and names the cause;
2. fixed, but with the schedule stepped after every batch: step 2, the
   learning rate;
3. fixed again: all 9 steps match;
4. one Adam step, weight by weight: ``optimizer_step_table``.

Needs NumPy (``pip install nodenet[examples]``).  Run
``python walkthroughs/training_oracle.py``.
"""

try:
    import numpy as np
except ImportError:
    raise SystemExit("training_oracle.py needs NumPy: pip install 'nodenet[examples]'") from None

from nodenet import Network
from nodenet.optimizers import Adam
from nodenet.oracle import compare_training
from nodenet.schedules import StepLR
from nodenet.tables import optimizer_step_table

EPOCHS, BATCH, LR, GAMMA = 3, 4, 0.05, 0.5


def data():
    rng = np.random.default_rng(7)
    X, Y = rng.normal(size=(10, 3)), rng.uniform(size=(10, 2))
    W = [rng.normal(scale=0.8, size=(4, 3)), rng.normal(scale=0.8, size=(2, 4))]
    b = [rng.normal(scale=0.5, size=4), rng.normal(scale=0.5, size=2)]
    orders = [rng.permutation(10).tolist() for _ in range(EPOCHS)]
    return X, Y, W, b, orders


def gradients(X, Y, W, b):
    """∂L/∂W, ∂L/∂b of L = mean of (y − ŷ)², W out_in (z = a·Wᵀ + b)."""
    a1 = np.tanh(X @ W[0].T + b[0])
    a2 = 1 / (1 + np.exp(-(a1 @ W[1].T + b[1])))
    dz2 = 2 * (a2 - Y) / Y.size * a2 * (1 - a2)
    dz1 = (dz2 @ W[1]) * (1 - a1 ** 2)
    return [dz1.T @ X, dz2.T @ a1], [dz1.sum(axis=0), dz2.sum(axis=0)]


def numpy_adam(X, Y, W, b, orders, correct=True, schedule_per_batch=False):
    """The NumPy training loop; yields (weights, biases) after every step."""
    params = [w.copy() for w in W] + [v.copy() for v in b]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t, lr = 0, LR
    for order in orders:
        for start in range(0, len(X), BATCH):
            t += 1
            idx = order[start:start + BATCH]
            dW, db = gradients(X[idx], Y[idx], params[:2], params[2:])
            for p, g, mi, vi in zip(params, dW + db, m, v):
                mi[:] = 0.9 * mi + 0.1 * g
                vi[:] = 0.999 * vi + 0.001 * g * g
                m_hat = mi / (1 - 0.9 ** t) if correct else mi
                v_hat = vi / (1 - 0.999 ** t) if correct else vi
                p -= lr * m_hat / (np.sqrt(v_hat) + 1e-8)
            if schedule_per_batch:
                lr *= GAMMA
            yield params[:2], params[2:]
        if not schedule_per_batch:
            lr *= GAMMA


def main():
    X, Y, W, b, orders = data()
    net = Network.from_matrices(W, b, ["tanh", "sigmoid"], loss="mse")
    check = dict(optimizer=Adam(lr=LR), schedule=StepLR(1, gamma=GAMMA), epochs=EPOCHS,
                 batch_size=BATCH, order=orders)
    for title, options in (("1. Adam without its bias correction", dict(correct=False)),
                           ("2. The schedule stepped after every batch",
                            dict(schedule_per_batch=True)),
                           ("3. The fixed loop", {})):
        print(title)
        print("=" * len(title))
        print(compare_training(net, X, Y, numpy_adam(X, Y, W, b, orders, **options), **check))
        print()
    title = "4. One Adam step by hand: the first batch, output layer"
    print(title)
    print("=" * len(title))
    first = orders[0][:BATCH]
    print(optimizer_step_table(net, Adam(lr=LR), X[first], Y[first], layers=[2], digits=4))
    print("In step 1 the bias corrections make m̂ = g and v̂ = g², so Δw = −η·g/(|g| + ε):\n"
          "Adam's first step moves every weight by about η, whatever the size of its gradient.")


if __name__ == "__main__":
    main()
