"""A training progress reporter for the command line (a ``train`` callback).

On a terminal one line is rewritten in place (``\\r``) at most every
``interval`` seconds; otherwise (a pipe, a log file) a plain line is written
every ``every`` epochs.  Each line shows the epoch, epochs per second and
the current loss (and validation loss when there is one).

This module is not a command: it is not listed in COMMANDS.
"""

import time


class Progress:
    """Call it as ``progress(epoch, history)`` after every epoch; ``close()`` at the end."""

    def __init__(self, epochs, stream, tty=None, every=None, interval=0.1,
                 clock=time.perf_counter, validation=None):
        self.epochs = epochs
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.every = every or max(1, epochs // 10)
        self.interval = interval
        self.clock = clock
        self.validation = validation      # a list the caller fills, or None
        self.start = clock()
        self.last_write = None
        self.width = 0
        self.pending = None               # (epoch, text) not yet shown

    def __repr__(self):
        mode = "in place" if self.tty else f"every {self.every} epochs"
        return f"Progress({self.epochs} epochs, {mode})"

    def line(self, epoch, history, now):
        elapsed = now - self.start
        rate = f"{epoch / elapsed:.1f}" if elapsed > 0 else "-"
        text = f"epoch {epoch}/{self.epochs}  {rate} epochs/s  loss {history[-1]:.6g}"
        val = self.validation if self.validation is not None else getattr(history, "val_loss", None)
        if val:
            text += f"  validation loss {val[-1]:.6g}"
        return text

    def __call__(self, epoch, history):
        now = self.clock()
        text = self.line(epoch, history, now)
        if self.tty:
            if self.last_write is None or now - self.last_write >= self.interval \
                    or epoch == self.epochs:
                self._rewrite(text)
                self.last_write = now
                self.pending = None
            else:
                self.pending = text
        elif epoch % self.every == 0 or epoch == self.epochs:
            self.stream.write(text + "\n")
            self.stream.flush()
            self.pending = None
        else:
            self.pending = text

    def _rewrite(self, text):
        pad = " " * max(0, self.width - len(text))
        self.stream.write("\r" + text + pad)
        self.stream.flush()
        self.width = len(text)

    def close(self):
        """Show the last epoch if it was skipped (early stop) and end the line."""
        if self.tty:
            if self.pending is not None:
                self._rewrite(self.pending)
            if self.width:
                self.stream.write("\n")
        elif self.pending is not None:
            self.stream.write(self.pending + "\n")
        self.pending = None
        self.stream.flush()
