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
import sys

from ..errors import NodenetError

COMMANDS = ("init",)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


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
        return args.func(args) or 0
    except NodenetError as err:
        print(f"nodenet {args.command}: error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        name = f" {err.filename}" if err.filename else ""
        print(f"nodenet {args.command}: error:{name} {err.strerror or err}", file=sys.stderr)
        return 1
