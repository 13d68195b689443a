"""The one exception class for nodenet's own errors, and its warning."""


class NodenetError(ValueError):
    """A value or argument broke one of nodenet's stated requirements.

    The message says what was expected and what came, and names the layer,
    node or sample involved, e.g. ``forward expects 3 inputs, got 2``.
    """


class NodenetWarning(UserWarning):
    """A legal but doubtful choice, e.g. ``cross_entropy`` without softmax."""
