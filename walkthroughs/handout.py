"""The CogSci handout "Neural Networks from Scratch", step by step (seed 003).

Every value the handout's R session prints is computed here with nodenet's
own pieces (Node.feed, the activation functions and their derivatives, the
sse loss's output delta, a Network's step) and printed with ``r_print``
exactly as R prints it.  Lines starting with ``>`` are the handout's R
commands; the ``[1] …`` line after each is R's answer.

Run:  python walkthroughs/handout.py
"""

import math

from nodenet.activations import ACTIVATIONS, relu, sigmoid, sigmoid_derivative
from nodenet.examples import (HANDOUT_ETA, HANDOUT_INPUT, HANDOUT_TARGET,
                              handout_network)
from nodenet.losses import LOSSES, output_deltas
from nodenet.node import Node
from nodenet.rformat import r_print
from nodenet.tables import delta_table, step_report


def show(command, value):
    print(f"> {command}")
    print(r_print(value))


def heading(text):
    print()
    print(text)
    print("=" * len(text))


def main():
    heading("1. The activation of h1")
    input_nodes = HANDOUT_INPUT                      # c(1, 3, 5)
    weights_i_h1 = [0.5, 1.2, -0.3]
    h1 = Node(list(weights_i_h1), 0.0, "sigmoid")
    weighted_input = [w * a for w, a in zip(weights_i_h1, input_nodes)]
    show("(weighted_input <- input_nodes * weights_i_h1)", weighted_input)
    print("(R pads a vector's elements to one width; the handout's PDF text shows single spaces.)")
    net_input = h1.feed(input_nodes)                 # Σ w·a + b, b = 0
    show("(net_input <- sum(weighted_input))", net_input)
    h1_activation = sigmoid(net_input)
    show("(h1_activation <- sigmoid(net_input))", h1_activation)
    show("relu(net_input)", relu(net_input))

    heading("2. δ of the output node")
    label = HANDOUT_TARGET[0]
    output_node_activation = 0.6
    print("The handout ASSUMES the output activation is 0.6 (it never computes it);")
    print("its net input would be logit(0.6) = log(0.6/0.4).")
    delta_o = output_deltas(LOSSES["sse"], ACTIVATIONS["sigmoid"], [label],
                            [math.log(0.6 / 0.4)], [output_node_activation])[0]
    show("(delta_o <- 2*(label - output_node_activation) *\n"
         "    sigmoid_derivative(output_node_activation))", delta_o)

    heading("3. The weight from h1 to the output")
    eta = HANDOUT_ETA
    weight_h1_o = 0.8                                # "assume a random weight"
    print("Note the mix: δ_o uses the assumed output 0.6, while the activation of")
    print("h1 is its real one, sigmoid(2.6) = 0.9308616.")
    weight_change = eta * delta_o * h1_activation
    show("(weight_change <- eta * delta_o * h1_activation)", weight_change)
    weight_h1_o = weight_h1_o + weight_change
    show("(weight_h1_o <- weight_h1_o + weight_change)", weight_h1_o)

    heading("4. δ of h1")
    print("The handout multiplies by the weight it has just UPDATED (0.8017873):")
    weight_times_delta_o = weight_h1_o * delta_o
    show("(weight_times_delta_o <- weight_h1_o * delta_o)", weight_times_delta_o)
    slope = sigmoid_derivative(net_input, h1_activation)     # a·(1 − a)
    delta_h1 = weight_times_delta_o * slope
    show("(delta_h1 <- weight_times_delta_o * sigmoid_derivative(h1_activation))", delta_h1)
    standard = 0.8 * delta_o * slope
    print("Standard backpropagation uses the original weight 0.8 instead:")
    show("0.8 * delta_o * sigmoid_derivative(h1_activation)", standard)
    print("They differ because backpropagation's δ_h1 = −∂C/∂net_h1 is the slope of the")
    print("loss at the weights that produced the output, so it must use w = 0.8; the")
    print(f"handout's order uses the updated weight, a factor {weight_h1_o / 0.8:.7f} larger.")

    heading("5. The weights from the inputs to h1")
    weight_change = [eta * delta_h1 * a for a in input_nodes]
    show("(weight_change <- eta * delta_h1 * input_nodes)", weight_change)
    weights_i_h1 = [w + dw for w, dw in zip(weights_i_h1, weight_change)]
    show("(weights_i_h1 <- weights_i_h1 + weight_change)", weights_i_h1)

    heading("6. The same numbers from one step of a whole network")
    print("nodenet.examples.handout_network(): h1 = (0.5, 1.2, -0.3), output weights")
    print("c(0.8, -1.2, 0.5, -0.3), h3 and h4 chosen, and h2's weight from x3 solved so")
    print("that the output activation really is 0.6, the handout's assumption.")
    print("Biases start at 0 as in the handout; nodenet also updates them (rows 'b → …').")
    net = handout_network()
    report = step_report(net, HANDOUT_INPUT, HANDOUT_TARGET, eta, order="handout")
    hidden, top = net.layers
    print("output activation:      ", r_print(top[0].output))
    print("δ_o:                    ", r_print(top[0].delta))
    print("new weight h1 → o:      ", r_print(top[0].weights[0]))
    print("δ_h1 (handout order):   ", r_print(hidden[0].delta))
    print("new weights x → h1:     ", r_print(hidden[0].weights))
    print()
    print(report)

    heading("7. Standard backpropagation on the same network: the deltas")
    net = handout_network()
    net.forward(HANDOUT_INPUT)
    net.backward(HANDOUT_TARGET)
    print(delta_table(net, HANDOUT_TARGET))


if __name__ == "__main__":
    main()
