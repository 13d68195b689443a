"""The seeds' small networks, ready to trace.

``handout_network()`` is the CogSci handout's 3-4-1 sigmoid network (seed
003) for the input x = (1, 3, 5):

* h1's weights are the handout's (0.5, 1.2, −0.3), so its net input is 2.6
  and its activation 0.9308616;
* the hidden→output weights are the exercise's c(0.8, −1.2, 0.5, −0.3);
* h3 = (0.2, −0.4, 0.3) and h4 = (−0.6, 0.1, 0.2) are our choice ("you
  decide what the remaining weights should be"), and so are h2's first two
  weights (0.4, −0.5).  h2's weight from x3, 0.11783309, is *solved for*:
  with it the output activation on (1, 3, 5) is 0.6 to ten digits, the value
  the handout assumes for its δ_o = 2·(1 − 0.6)·0.6·(1 − 0.6) = 0.192;
* all biases are 0, as the handout assumes; the loss is sse.

So one ``step`` of this network with η = 0.01 and label 1 gives all of the
handout's numbers at once (order="handout" for its 0.009907519).

>>> net = handout_network()
>>> round(net.forward(HANDOUT_INPUT)[0], 9)
0.6

``one_step_network()`` is seed 000's 1-1-1 network: w1 = 0.8, b1 = 0.2
(ReLU), w2 = −1.0, b2 = 0.5 (sigmoid), binary cross-entropy.

>>> round(one_step_network().forward([0.5])[0], 3)
0.475
"""

from .network import Network

HANDOUT_INPUT = [1.0, 3.0, 5.0]
HANDOUT_TARGET = [1.0]
HANDOUT_ETA = 0.01
HANDOUT_HIDDEN = [
    [0.5, 1.2, -0.3],          # h1: the handout's weights_i_h1
    [0.4, -0.5, 0.11783309],   # h2: last weight solved so the output is 0.6
    [0.2, -0.4, 0.3],          # h3: chosen
    [-0.6, 0.1, 0.2],          # h4: chosen
]
HANDOUT_OUTPUT = [[0.8, -1.2, 0.5, -0.3]]   # the exercise's c(0.8, -1.2, 0.5, -0.3)


def handout_network(activation="sigmoid"):
    """The handout's 3-4-1 network (see the module docstring), sse loss.

    ``activation="relu"`` gives the exercise's ReLU variant (hidden layer
    only; the output stays sigmoid).
    """
    return Network.from_matrices([[list(row) for row in HANDOUT_HIDDEN],
                                  [list(row) for row in HANDOUT_OUTPUT]],
                                 activations=[activation, "sigmoid"], loss="sse")


ONE_STEP_INPUT = [0.5]
ONE_STEP_TARGET = [1.0]
ONE_STEP_ETA = 0.1


def one_step_network():
    """Seed 000's manual-iteration network: ReLU hidden node, sigmoid output, bce."""
    return Network.from_matrices([[[0.8]], [[-1.0]]], biases=[[0.2], [0.5]],
                                 activations=["relu", "sigmoid"], loss="bce")
