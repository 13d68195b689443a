"""Every message quotes the user's values in bounded form (issue 11, item 12).

Each option below gets values that used to break message building or make
it huge: a deeply nested list (RecursionError in repr), an object whose
``__repr__`` raises, a NumPy array (ambiguous truth value), a 10 MB string.
Every call must raise a NodenetError, whose message stays short.
"""

import pytest

from nodenet import Network, NodenetError, exact, tables
from nodenet.draw import to_mermaid
from nodenet.optimizers import SGD
from nodenet.textplot import loss_curve


class BadRepr:
    def __repr__(self):
        raise RuntimeError("a repr that fails")

    __str__ = __repr__


def deep(n=100000):
    value = []
    for _ in range(n):
        value = [value]
    return value


HUGE = "x" * 10_000_000
LIMIT = 1000


def junk():
    values = [deep(), BadRepr(), HUGE, {"k": deep()}]
    try:
        import numpy as np
        values.append(np.zeros((3, 3)))
    except ImportError:
        pass
    return values


def net():
    return Network([2, 2, 1], seed=0)


X, Y = [[0.5, -1.0], [1.0, 2.0]], [[0.0], [1.0]]

CALLS = {
    "train epochs": lambda v: net().train(X, Y, v, 0.1),
    "train eta": lambda v: net().train(X, Y, 1, v),
    "train batch_size": lambda v: net().train(X, Y, 1, 0.1, batch_size=v),
    "train shuffle": lambda v: net().train(X, Y, 1, 0.1, shuffle=v),
    "train order": lambda v: net().train(X, Y, 1, 0.1, order=v),
    "train momentum": lambda v: net().train(X, Y, 1, 0.1, momentum=v),
    "train optimizer": lambda v: net().train(X, Y, 1, optimizer=v),
    "train schedule": lambda v: net().train(X, Y, 1, 0.1, schedule=v),
    "train callback": lambda v: net().train(X, Y, 1, 0.1, callback=v),
    "train dropout": lambda v: net().train(X, Y, 1, 0.1, dropout=v),
    "train lr_decay": lambda v: net().train(X, Y, 1, 0.1, lr_decay=v, decay_rate=0.5),
    "train validation_data": lambda v: net().train(X, Y, 1, 0.1, validation_data=v),
    "train X": lambda v: net().train(v, Y, 1, 0.1),
    "Network sizes": lambda v: Network(v),
    "Network activation": lambda v: Network([2, 1], activation=v),
    "Network loss": lambda v: Network([2, 1], loss=v),
    "Network init": lambda v: Network([2, 1], init=v),
    "Network seed": lambda v: Network([2, 1], seed=v),
    "Network rng": lambda v: Network([2, 1], rng=v),
    "from_matrices layout": lambda v: Network.from_matrices([[[1.0]]], layout=v),
    "from_matrices weights": lambda v: Network.from_matrices(v),
    "step order": lambda v: net().step([1.0, 2.0], [0.0], 0.1, order=v),
    "step x": lambda v: net().step(v, [0.0], 0.1),
    "gradients layout": lambda v: net().gradients(X, Y, layout=v),
    "restore": lambda v: net().restore(v),
    "SGD lr": lambda v: SGD(lr=v),
    "tables digits": lambda v: tables.step_report(net(), [1.0, 2.0], [0.0], 0.1, digits=v),
    "tables tablefmt": lambda v: tables.step_report(net(), [1.0, 2.0], [0.0], 0.1, tablefmt=v),
    "tables order": lambda v: tables.step_report(net(), [1.0, 2.0], [0.0], 0.1, order=v),
    "draw direction": lambda v: to_mermaid(net(), direction=v),
    "draw digits": lambda v: to_mermaid(net(), digits=v),
    "svg values": lambda v: net().to_svg(values=v),
    "loss_curve width": lambda v: loss_curve([1.0, 0.5], width=v),
    "exact digits": lambda v: exact.gradients(net(), X, Y, digits=v),
}


@pytest.mark.parametrize("where", list(CALLS))
def test_messages_stay_short_whatever_the_value(where):
    for value in junk():
        with pytest.raises(NodenetError) as info:
            CALLS[where](value)
        assert len(str(info.value)) < LIMIT, (where, type(value).__name__, len(str(info.value)))


def test_the_oracle_options_too():
    from nodenet.oracle import compare_forward, compare_gradients
    n = net()
    dW, db = n.gradients(X, Y)
    for value in junk():
        for call in (lambda v: compare_gradients(n, X, Y, dW, db, layout=v),
                     lambda v: compare_gradients(n, X, Y, dW, db, samples=v),
                     lambda v: compare_gradients(n, X, Y, dW, db, dtype=v),
                     lambda v: compare_gradients(n, X, Y, dW, db, rtol=v),
                     lambda v: compare_gradients(n, X, Y, v, db),
                     lambda v: compare_forward(n, X, v)):
            with pytest.raises(NodenetError) as info:
                call(value)
            assert len(str(info.value)) < LIMIT
