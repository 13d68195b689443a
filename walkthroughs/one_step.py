"""Seed 000's manual training iteration, every number recomputed (seed 000).

The network: x = 0.5; a ReLU hidden node with w1 = 0.8, b1 = 0.2; a sigmoid
output node with w2 = −1.0, b2 = 0.5; target y = 1; η = 0.1; binary
cross-entropy.  The seed writes plain gradients ∂L/∂·, rounded to three
decimals; nodenet stores δ = −∂L/∂z (the handout's sign), so ∂L/∂z = −δ and
the update w ← w − η·∂L/∂w is the same as w ← w + η·δ·a.

Each value is shown three ways: exact (7 significant digits), exact rounded
to the seed's three decimals, and the seed's own figure.  The seed rounds
as it goes: it multiplies already-rounded numbers and carries −0.524 for
∂L/∂z2, although the exact value is −0.5249792 (→ −0.525) and even the
product of its rounded factors, −2.105 × 0.475 × 0.525 = −0.5249344, is
−0.525 to three decimals (−0.524 only if cut off rather than rounded).  The
"seed's chain" column redoes its arithmetic from −0.524 onwards.

Run:  python walkthroughs/one_step.py
"""

import math

from tabulate import tabulate

from nodenet.examples import ONE_STEP_ETA, ONE_STEP_INPUT, ONE_STEP_TARGET, one_step_network
from nodenet.numfmt import num
from nodenet.tables import step_report

# The seed's printed values, in its order.
SEED = {
    "z1": 0.6, "h1": 0.6, "z2": -0.1, "y1": 0.475, "L": 0.744,
    "∂L/∂y1": -2.105, "∂L/∂z2": -0.524, "∂L/∂w2": -0.314, "∂L/∂b2": -0.524,
    "∂L/∂h1": 0.524, "∂L/∂z1": 0.524, "∂L/∂w1": 0.262, "∂L/∂b1": 0.524,
    "w1": 0.774, "b1": 0.148, "w2": -0.969, "b2": 0.552,
}


def three(x):
    """x to three decimals, as the seed writes it (-0.0 shown as 0.000)."""
    return f"{x + 0.0:.3f}" if round(x, 3) != 0 else "0.000"


def exact_values():
    """Every quantity of the seed's iteration, from nodenet's own network."""
    net = one_step_network()
    x, y, eta = ONE_STEP_INPUT, ONE_STEP_TARGET, ONE_STEP_ETA
    hidden, out = net.layers[0][0], net.layers[1][0]
    w1, b1, w2, b2 = hidden.weights[0], hidden.bias, out.weights[0], out.bias
    net.forward(x)
    loss = net.loss_function.sample_value(y, [out.output])
    upstream = net.loss_function.upstream(y, [out.output])[0]     # −∂L/∂y1
    net.backward(y)
    v = {
        "z1": hidden.net, "h1": hidden.output, "z2": out.net, "y1": out.output, "L": loss,
        "∂L/∂y1": -upstream,
        "∂L/∂z2": -out.delta,
        "∂L/∂w2": -out.delta * hidden.output,
        "∂L/∂b2": -out.delta,
        "∂L/∂h1": -out.delta * w2,
        "∂L/∂z1": -hidden.delta,
        "∂L/∂w1": -hidden.delta * x[0],
        "∂L/∂b1": -hidden.delta,
    }
    net.update(eta)                                   # w ← w + η·δ·a
    v.update({"w1": hidden.weights[0], "b1": hidden.bias,
              "w2": out.weights[0], "b2": out.bias})
    assert (w1, b1, w2, b2) == (0.8, 0.2, -1.0, 0.5)
    return v


def seed_chain():
    """The seed's arithmetic on its own rounded numbers, from −0.524 on."""
    x, eta = ONE_STEP_INPUT[0], ONE_STEP_ETA
    dz2 = -0.524                                  # the seed's figure (see the docstring)
    dh1 = dz2 * -1.0
    dz1 = dh1 * 1.0                               # ReLU slope at z1 = 0.6 > 0
    dw1 = round(dz1 * x, 3)
    dw2 = round(dz2 * 0.6, 3)
    return {
        "∂L/∂z2": -2.105 * 0.475 * 0.525,
        "∂L/∂w2": dw2, "∂L/∂b2": dz2, "∂L/∂h1": dh1, "∂L/∂z1": dz1, "∂L/∂w1": dw1,
        "∂L/∂b1": dz1,
        "w1": 0.8 - eta * dw1, "b1": 0.2 - eta * dz1,
        "w2": -1.0 - eta * dw2, "b2": 0.5 - eta * dz2,
    }


def rows():
    """(name, exact, exact to 3 decimals, seed's chain, seed) for every quantity."""
    exact, chain = exact_values(), seed_chain()
    out = []
    for name, seed in SEED.items():
        c = chain.get(name)
        out.append((name, num(exact[name]), three(exact[name]),
                    "" if c is None else f"{num(c)} → {three(c)}", three(seed)))
    return out


def main():
    print("Seed 000: one training iteration by hand, recomputed with nodenet")
    print("x = 0.5; hidden ReLU w1 = 0.8, b1 = 0.2; output sigmoid w2 = -1.0, b2 = 0.5;")
    print("y = 1; η = 0.1; binary cross-entropy")
    print()
    print(tabulate(rows(), headers=["quantity", "exact", "exact, 3 dp", "seed's chain", "seed"],
                   tablefmt="github", disable_numparse=True,
                   colalign=("left", "right", "right", "right", "right")))
    print()
    # printed numbers carry R's "-" (as in the table above); "−" is only ever subtraction
    print("∂L/∂z2: exact -0.5249792 rounds to -0.525.  The seed's product of rounded factors")
    print(f"-2.105 × 0.475 × 0.525 = {num(-2.105 * 0.475 * 0.525)} also rounds to -0.525; "
          "the seed's -0.524")
    print("is that product cut off, and it carries -0.524 into ∂L/∂w2 (-0.314, exact -0.315),")
    print("∂L/∂b2, ∂L/∂h1, ∂L/∂z1 and ∂L/∂b1 (0.524, exact 0.525).  The updated parameters")
    print("agree with the seed either way: 0.774, 0.148, -0.969, 0.552.")
    print(f"(sigmoid(-0.1) = {num(1 / (1 + math.exp(0.1)))}, −log of it = "
          f"{num(math.log(1 + math.exp(0.1)))}.)")
    print()
    print("The same step as nodenet's tables (δ = −∂L/∂z; bce with a sigmoid output gives")
    print("δ_o = y − a directly; Δw = η·δ·a is added):")
    print()
    print(step_report(one_step_network(), ONE_STEP_INPUT, ONE_STEP_TARGET, ONE_STEP_ETA))


if __name__ == "__main__":
    main()
