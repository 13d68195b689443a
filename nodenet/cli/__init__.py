"""The ``nodenet`` command line.

Each subcommand lives in its own module ``nodenet.cli.<name>`` with two
functions: ``add_parser(subparsers)``, which registers it (and sets
``func=run`` as a default), and ``run(args) -> int``.  To add a command, write
the module and add its name to COMMANDS.

Errors never show a traceback: a NodenetError, a file problem or a bad option
is one line on stderr and a non-zero exit status.
"""

import argparse
import importlib
import os
import sys

from ..errors import NodenetError

COMMANDS = ("init", "trace", "fixture", "train", "predict", "draw")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see --help)\n")


def build_parser():
    parser = Parser(prog="nodenet",
                    description="Node-level feed-forward neural networks in plain Python.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.func(args) or 0
        sys.stdout.flush()          # a closed pipe shows here, inside the handlers below
        return status
    except NodenetError as err:
        return _fail(args.command, err)
    except BrokenPipeError:
        # the reader stopped early (``nodenet trace | head``): not worth a message;
        # point stdout at devnull so the flush at exit does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:
        name = f"{err.filename}: " if err.filename else ""
        return _fail(args.command, f"{name}{err.strerror or err}")
    except (ValueError, RecursionError) as err:     # e.g. JSON a command read itself
        return _fail(args.command, f"{type(err).__name__}: {err}")
    except KeyboardInterrupt:
        return _fail(args.command, "interrupted", 130)
    except Exception as err:                          # a bug: still one line, no traceback
        return _fail(args.command, f"internal error, please report: {type(err).__name__}: {err}", 3)


def _fail(command, message, status=1):
    """Print ``message`` as one line on stderr and return ``status``."""
    text = " ".join(str(message).split()) or "failed"
    print(f"nodenet {command}: error: {text}", file=sys.stderr)
    return status
