"""History: what training saw, epoch by epoch."""

from .tables import health_table, history_table


class History(list):
    """The loss over the whole training set after each epoch, and what else was seen.

    A list of floats (the training loss, measured after each epoch with
    dropout off and without the L2 penalty), plus these attributes, each a
    list with one entry per epoch or empty when not recorded:

    ``val_loss``      loss on the validation data (``validation=`` or
                      ``validation_data=``);
    ``accuracy``      training accuracy, when every target is a class label
                      (0/1 for one output, one-hot for several);
    ``val_accuracy``  the same on the validation data;
    ``etas``          the learning rate used in each epoch;
    ``orders``        the order the samples took in each epoch (a tuple of
                      sample indices: the batches are its consecutive
                      slices of ``batch_size``), to replay the run elsewhere;
    ``diagnostics``   one ``nodenet.diagnostics.EpochHealth`` per epoch
                      (``diagnostics=True``).

    ``stop_reason``: ``"epochs"`` (all epochs ran), ``"target_loss"``
    (footnote 16's stopping criterion was met) or ``"early_stopping"``
    (validation loss stopped improving for ``patience`` epochs).
    ``best_epoch``: the 1-based epoch with the lowest validation loss (or
    training loss without validation data), None before any epoch;
    ``restored``: True when the network was set back to that epoch's weights.

    >>> h = History([0.5, 0.25])
    >>> h.val_loss, h.best_epoch = [0.75, 0.5], 2
    >>> h
    History(2 epochs, loss 0.5 → 0.25, val_loss 0.75 → 0.5, best epoch 2, stopped by None)
    """

    def __init__(self, losses=()):
        super().__init__(losses)
        self.stop_reason = None
        self.val_loss = []
        self.accuracy = []
        self.val_accuracy = []
        self.etas = []
        self.orders = []
        self.diagnostics = []
        self.best_epoch = None
        self.restored = False

    @property
    def train_loss(self):
        """The per-epoch training losses as a plain list."""
        return list(self)

    def summary(self):
        """One line: how many epochs ran, why training stopped, the best epoch."""
        text = f"{len(self)} epochs, stopped by {self.stop_reason}"
        if self.best_epoch is not None:
            which = "validation" if self.val_loss else "training"
            text += f"; best {which} loss in epoch {self.best_epoch}"
            if self.restored:
                text += " (weights restored)"
        return text

    def table(self, every=1, tablefmt="simple", digits=4):
        """The history as a table; see nodenet.tables.history_table."""
        return history_table(self, every, tablefmt, digits)

    def health_table(self, tablefmt="simple", digits=3):
        """Per-epoch, per-layer mean |δ| and max |Δw| (needs ``diagnostics=True``)."""
        return health_table(self.diagnostics, tablefmt, digits)

    def __repr__(self):
        if not self:
            return "History(no epochs)"
        val = ""
        if self.val_loss:      # the plain repr stays as it always was
            val = (f", val_loss {self.val_loss[0]:.4g} → {self.val_loss[-1]:.4g}, "
                   f"best epoch {self.best_epoch}")
        return (f"History({len(self)} epochs, loss {self[0]:.4g} → {self[-1]:.4g}{val}, "
                f"stopped by {self.stop_reason})")
