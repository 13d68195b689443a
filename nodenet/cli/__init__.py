"""The ``nodenet`` command line.

Each subcommand lives in its own module ``nodenet.cli.<name>`` with two
functions: ``add_parser(subparsers)``, which registers it (and sets
``func=run`` as a default), and ``run(args) -> int``.  To add a command,
write the module: every module here with an ``add_parser`` is a command
(COMMANDS lists them).  Shared helpers: ``common`` (checked option types,
OptionError, warnings), ``paths`` (``check_files``: outputs checked before
any work), ``samples`` (CSV samples for a model), ``progress``.

Errors never show a traceback: each is one line on stderr and an exit
status: 2 for a bad option (argparse's or an OptionError), 1 for bad input
or a file that cannot be read or written, 3 for an internal error.  A
warning is one line too (``nodenet init: warning: …``).  ``nodenet
--debug COMMAND …`` (or the environment variable ``NODENET_DEBUG=1``) also
prints the traceback of an error, for a bug report.
"""

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
import warnings

from .. import __version__
from ..errors import NodenetError
from .common import OptionError, Store, one_line, warn

def _commands():
    """The names of this package's modules that define ``add_parser``, in order of name."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if hasattr(importlib.import_module(f"{__name__}.{info.name}"), "add_parser"):
            found.append(info.name)
    return tuple(sorted(found))


COMMANDS = _commands()


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit status 2."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register("action", None, Store)         # records the option spelling typed
        self.register("action", "store", Store)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see --help)\n")


def build_parser():
    parser = Parser(prog="nodenet",
                    description="Node-level feed-forward neural networks in plain Python.")
    parser.add_argument("--version", action="version", version=f"nodenet {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="also print the traceback of an error (or set NODENET_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    if sys.stderr is None:                # started with stderr closed: errors go nowhere,
        sys.stderr = open(os.devnull, "w", encoding="utf-8")   # the status still tells
    if sys.stdout is None:
        print("nodenet: error: standard output is closed; nodenet prints its results and "
              "reports there (redirect it to a file or /dev/null instead)", file=sys.stderr)
        return 1
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        # a deprecation inside nodenet is nothing a command-line user can act on
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.showwarning = lambda message, *rest, **kw: warn(args.command, message)
        return _run(args)


def _run(args):
    try:
        status = args.func(args) or 0
        sys.stdout.flush()          # a closed pipe shows here, inside the handlers below
        return status
    except (Exception, KeyboardInterrupt) as err:
        debug = args.debug or os.environ.get("NODENET_DEBUG", "") not in ("", "0")
        if debug and not isinstance(err, BrokenPipeError):
            traceback.print_exc()
        return _status(args.command, err)


def _status(command, err):
    """The one line and the exit status of an error (see the module docstring)."""
    if isinstance(err, OptionError):
        return _fail(command, err, 2)
    if isinstance(err, NodenetError):
        return _fail(command, err)
    if isinstance(err, BrokenPipeError):
        # the reader stopped early (``nodenet trace | head``): not worth a message
        _quiet_stdout()
        return 1
    if isinstance(err, OSError):    # nodenet's own file errors are NodenetErrors: this is stdout
        _quiet_stdout()
        return _fail(command, f"cannot write to standard output: {err.strerror or err}")
    if isinstance(err, (ValueError, RecursionError)):     # e.g. JSON a command read itself
        return _fail(command, f"{type(err).__name__}: {err}")
    if isinstance(err, KeyboardInterrupt):
        return _fail(command, "interrupted", 130)
    # a bug: still one line, no traceback (unless --debug)
    return _fail(command, f"internal error, please report (run again with --debug for the "
                          f"traceback): {type(err).__name__}: {err}", 3)


def _quiet_stdout():
    """Point stdout at devnull, so the flush at exit does not fail a second time."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _fail(command, message, status=1):
    """Print ``message`` as one line on stderr and return ``status``."""
    text = one_line(message) or "failed"
    try:
        print(f"nodenet {command}: error: {text}", file=sys.stderr)
    except OSError:
        pass                        # stderr itself cannot be written: the status still tells
    return status
