"""Writing files so that a crash never leaves half of one: write aside, then rename."""

import os
import tempfile

from .errors import NodenetError


def write_atomic(path, text, what="file"):
    """Write ``text`` to ``path``: a temporary file in the same folder, then a rename.

    A failure at any point (a full disk, a crash, Ctrl-C) leaves any earlier
    file at ``path`` as it was and no temporary file behind.  A device or
    pipe (``/dev/null``, ``/dev/stdout``) is written directly, since a rename
    would replace the device itself.  The new file gets the usual permissions
    (0666 less the umask), not mkstemp's private 0600.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise NodenetError(f"cannot write {what} {path}: it is a directory; give a file name")
    if os.path.exists(path) and not os.path.isfile(path):
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".nodenet-", suffix=".tmp", dir=folder)
    except OSError as err:
        raise NodenetError(f"cannot write {what} {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise NodenetError(f"cannot write {what} {path}: {err.strerror or err}; "
                               "any previous file there is unchanged") from None
        raise


def _umask():
    mask = os.umask(0)          # the only way to read it is to set it
    os.umask(mask)
    return mask
