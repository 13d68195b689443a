"""The CogSci handout's exercises, solved with nodenet (seed 003).

1. The full forward pass of the 3-4-1 network on [1, 3, 5] with randomly
   initialized (seeded) weights.
2. The ReLU derivative, δ_o with it, and the handout's step with ReLU
   hidden nodes instead of sigmoid ones.
3. The weight changes of all hidden→output weights, c(0.8, -1.2, 0.5, -0.3).
4. The weight changes of all input→hidden weights (we chose h2..h4's
   weights; see nodenet.examples).
5. One complete training step.
6. Training over epochs until a stopping criterion (a target loss) is met,
   on a small dataset.

Run:  python walkthroughs/handout_exercises.py
"""

from tabulate import tabulate

from nodenet import Network
from nodenet.activations import ACTIVATIONS
from nodenet.examples import HANDOUT_ETA, HANDOUT_INPUT, HANDOUT_TARGET, handout_network
from nodenet.numfmt import num, nums
from nodenet.rformat import r_print
from nodenet.tables import forward_table, step_report, weight_change_table

SEED = 3


def heading(text, first=False):
    if not first:
        print()                 # a blank line between sections, none before the first
    print(text)
    print("=" * len(text))


def majority_data():
    """All 8 binary inputs of length 3, label 1 when at least two are 1."""
    X = [[float(b >> 2 & 1), float(b >> 1 & 1), float(b & 1)] for b in range(8)]
    Y = [[1.0 if sum(x) >= 2 else 0.0] for x in X]
    return X, Y


def main():
    x, y, eta = HANDOUT_INPUT, HANDOUT_TARGET, HANDOUT_ETA

    heading("Exercise 1: the forward pass of a randomly initialized 3-4-1 network", first=True)
    net = Network([3, 4, 1], activation="sigmoid", init="uniform", seed=SEED)
    weights, _ = net.to_matrices()
    print(f"Network([3, 4, 1], init='uniform', seed={SEED}): weights uniform in [-1, 1], "
          "biases 0")
    for name, row in zip(["h1", "h2", "h3", "h4"], weights[0]):
        print(f"  weights into {name}: {r_print(row)}")
    print(f"  weights into o:  {r_print(weights[1][0])}")
    output = net.forward(x)[0]
    print()
    print(forward_table(net))
    print()
    print("output_node_activation:", r_print(output))

    heading("Exercise 2: the ReLU derivative, and ReLU instead of sigmoid")
    relu = ACTIVATIONS["relu"]
    print("relu(z) = max(0, z); relu'(z) = 1 for z > 0, else 0 (0 at z = 0 by convention)")
    zs = [-2.0, -0.5, 0.0, 0.5, 2.0]
    print("z:       ", r_print(zs))
    print("relu:    ", r_print([relu.function(z) for z in zs]))
    print("relu':   ", r_print([relu.derivative(z, relu.function(z)) for z in zs]))
    label = y[0]
    z_out = net.layers[-1][0].net
    sigmoid_delta = 2 * (label - output) * ACTIVATIONS["sigmoid"].derivative(z_out, output)
    print(f"δ_o with the exercise-1 output activation {num(output)}:")
    print(f"  sigmoid: 2·(1 − {num(output)})·{num(output)}·(1 − {num(output)}) = "
          f"{num(sigmoid_delta)}")
    # The handout's derivative functions take the activation; relu'(a) at a > 0 is 1.
    handout_style = 2 * (label - output) * relu.derivative(output, output)
    print(f"  relu' evaluated at that activation, as the handout's helpers take it: "
          f"2·(1 − {num(output)})·1 = {num(handout_style)}")
    a_relu = relu.function(z_out)
    relu_delta = 2 * (label - a_relu) * relu.derivative(z_out, a_relu)
    print(f"  a real ReLU output node: net input {num(z_out)}, output {num(a_relu)}, "
          f"δ = 2·(1 − {num(a_relu)})·{num(relu.derivative(z_out, a_relu))} = {num(relu_delta)}")
    if z_out <= 0.0:
        print("  (its net input is ≤ 0, so ReLU passes no gradient at all: a 'dead' node)")
    print("ReLU's slope is 1 wherever the node is active, so δ is not shrunk the way")
    print("a(1 − a) ≤ 0.25 shrinks it; that is why ReLU resists vanishing gradients.")
    print()
    print("The handout's network with ReLU hidden nodes (output still sigmoid), one step:")
    print()
    print(step_report(handout_network(activation="relu"), x, y, eta))

    heading("Exercise 3: all hidden→output weight changes, weights c(0.8, -1.2, 0.5, -0.3)")
    net = handout_network()
    net.forward(x)
    net.backward(y)
    print(weight_change_table(net, eta, layers=[2]))

    heading("Exercise 4: all input→hidden weight changes (standard backpropagation)")
    print(weight_change_table(net, eta, layers=[1]))
    print("(In the handout's order h1's δ would use the updated weight 0.8017873 and be")
    print("0.009907519; walkthroughs/handout.py shows both.)")

    heading("Exercise 5: one complete training step")
    print(step_report(handout_network(), x, y, eta))

    heading("Exercise 6: training until a stopping criterion")
    X, Y = majority_data()
    net = Network([3, 4, 1], activation="sigmoid", init="uniform", seed=SEED)
    target = 0.05
    history = net.train(X, Y, epochs=5000, eta=0.5, target_loss=target)
    print("data: the 8 binary inputs of length 3, label 1 when at least two are 1")
    print(f"online training (one update per example), η = 0.5, sse, shuffled with seed {SEED},")
    print(f"stopping when the epoch's loss is ≤ {target} (or after 5000 epochs)")
    print(f"stopped by {history.stop_reason} after {len(history)} epochs")
    shown = sorted({1, 10, 100, 1000, len(history)} & set(range(1, len(history) + 1)))
    for epoch in shown:
        print(f"  epoch {epoch:5d}: loss {num(history[epoch - 1])}")
    print("predictions after training:")
    rows = [[f"({nums(xi)})", num(yi[0]), num(net.predict(xi)[0], 4), str(net.classify(xi))]
            for xi, yi in zip(X, Y)]
    print(tabulate(rows, headers=["x", "y", "output", "class"], disable_numparse=True,
                   colalign=("left", "right", "right", "right")))


if __name__ == "__main__":
    main()
