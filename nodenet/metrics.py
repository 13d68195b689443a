"""Classification metrics: the one classify rule, class targets, accuracy.

A network's outputs name a class by one rule, used by ``Network.classify``,
by ``train``'s accuracy and by the command line alike: one output is class
1 when it is at least 0.5, else 0; several outputs name the index of the
largest (the first one on a tie).

>>> predicted_class([0.5]), predicted_class([0.2, 0.7, 0.7])
(1, 1)
>>> accuracy([[1.0], [0.0], [1.0]], [[0.9], [0.7], [0.5]])
0.6666666666666666
"""


def predicted_class(outputs):
    """The class the outputs name: ≥ 0.5 for one output, else the first argmax.

    >>> predicted_class([0.49]), predicted_class([0.1, 0.3, 0.2])
    (0, 1)
    """
    if len(outputs) == 1:
        return 1 if outputs[0] >= 0.5 else 0
    return max(range(len(outputs)), key=outputs.__getitem__)


def target_class(y, k=1):
    """The class a target names, for a network with ``k`` outputs.

    One output: 0 or 1.  Several: the index of the 1 of a one-hot row, or
    the class index itself when the target is one number (``[2]``, as the
    losses that take class indices read it).

    >>> target_class([1.0]), target_class([0.0, 0.0, 1.0], 3), target_class([2.0], 3)
    (1, 2, 2)
    """
    if len(y) == 1:
        return int(y[0]) if k > 1 else (1 if y[0] == 1.0 else 0)
    return y.index(1.0)


def is_classes(Y, k=1):
    """True if every target names a class: 0/1 for one output, one-hot (or an index) for ``k`` > 1.

    >>> is_classes([[0.0], [1.0]]), is_classes([[0.0, 1.0], [0.5, 0.5]], 2)
    (True, False)
    """
    for y in Y:
        if len(y) == 1:
            if k == 1 and y[0] not in (0.0, 1.0):
                return False
        elif sum(y) != 1.0 or any(t not in (0.0, 1.0) for t in y):
            return False
    return True


def accuracy(Y, outputs):
    """Fraction of samples whose outputs name their target's class (``predicted_class``)."""
    right = sum(predicted_class(out) == target_class(y, len(out)) for y, out in zip(Y, outputs))
    return right / len(Y)
