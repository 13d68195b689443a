"""Checking a command's files before it does any work.

A command calls ``check_files`` first, with its inputs and outputs as
``{dest: label}``: the attribute of ``args`` that holds the path, and how
to name it (the option, e.g. ``"-o"``, or a word for a positional
argument).  An option the user spelled differently (``--output``) is named
as typed.  Adding an output option to a command is one more entry::

    check_files(args, inputs={"model": "the model file"},
                outputs={"output": "-o", "svg": "--svg"})

Refused, with an OptionError (one line, exit status 2) and nothing
written: an output that cannot be written (its folder is missing or not
writable, it is a folder, the file is read-only), and an output that is
the same file as an input or as another output.  Files are compared as
files, not names: ``./d.csv``, a symbolic link and a hard link to ``d.csv``
all count.  Devices and pipes (``/dev/null``) are never a conflict.
"""

import os
import stat

from ..errors import NodenetError
from ..files import check_writable, same_file, shown
from .common import OptionError, flag


def check_files(args, inputs=None, outputs=None):
    """Refuse outputs that would overwrite an input or each other, or cannot be written."""
    ins, outs = _given(args, inputs), _given(args, outputs)
    for k, (label, path) in enumerate(outs):
        if _is_device(path):
            continue
        for other, other_path in ins + outs[:k]:
            if same_file(path, other_path):
                raise OptionError(
                    f"{label} {shown(path)} is the same file as {other} {shown(other_path)}; "
                    f"nothing was written: give {label} another file name")
    for label, path in outs:
        try:
            check_writable(path, f"{label} file" if label.startswith("-") else label)
        except NodenetError as err:
            raise OptionError(str(err)) from None


def _given(args, names):
    """``[(label, path)]`` for the entries of ``names`` that the user gave."""
    return [(flag(args, dest, label), getattr(args, dest))
            for dest, label in (names or {}).items() if getattr(args, dest, None) is not None]


def _is_device(path):
    """An existing device, pipe or socket: writing it destroys no file."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
