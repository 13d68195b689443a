"""Reading and writing files so that nothing a user types can destroy one.

Reading (``read_bytes``) takes a regular file only (and a pipe where the
caller allows one), and at most ``MAX_READ_BYTES`` bytes of it: a FIFO,
``/dev/zero`` or a huge file is refused with a NodenetError instead of
hanging or filling the memory.  Raise the limit to read bigger files::

    import nodenet.files
    nodenet.files.MAX_READ_BYTES = 2**31

Writing (``write_atomic``) never leaves half a file:

* the new text goes to a file in the target's folder, which is then
  renamed over the target, so the old file stays intact until the new one
  is complete (on Linux the text is written to an unnamed ``O_TMPFILE``,
  so a crash while writing leaves nothing; only a crash between naming it
  and the rename can leave ``.NAME.nodenet-PID-N.tmp`` beside the target;
  elsewhere that file is named from the start);
* through a symbolic link, the file the link points to is replaced and the
  link kept; a hard link is not followed (the rename makes a new file, and
  the other names keep the old text);
* a replaced file keeps its permission bits; a new file gets the usual
  ones (0666 less the umask, applied by the system);
* a file the user may not write is refused, not replaced;
* a device or pipe (``/dev/null``, ``/dev/stdout``) is written directly.

``check_writable`` makes the same checks without writing, so a command can
refuse a bad destination before it starts work.  Every failure is a
NodenetError naming the file and the reason.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "a.txt")
>>> write_atomic(path, "hello\\n")
>>> read_bytes(path)
b'hello\\n'
>>> os.listdir(folder)
['a.txt']
"""

import itertools
import os
import stat

from .errors import NodenetError
from .validate import positive_int

MAX_READ_BYTES = 256 * 2**20        # 256 MiB: see the module docstring to raise it

_CHUNK = 2**20
_serial = itertools.count(1)        # temporary names: pid and a counter, no randomness


def shown(path):
    """A path as it goes into a message: the text, cut in the middle when very long.

    >>> shown("data/xor.csv")
    'data/xor.csv'
    """
    text = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    return text if len(text) <= 200 else text[:100] + "…" + text[-99:]


def fspath(path, what="file"):
    """``path`` as a str; anything that is not a path is refused by name."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise NodenetError(f"a {what} path must be a str or os.PathLike, "
                           f"got {type(path).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path or "\0" in path:
        raise NodenetError(f"a {what} path must be a non-empty name without NUL characters")
    return path


def _failure(verb, what, path, reason):
    return NodenetError(f"cannot {verb} {what} {shown(path)}: {reason}")


def _reason(err):
    return err.strerror or str(err)


def _kind(mode):
    kinds = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


# -- reading -------------------------------------------------------------------

def read_bytes(path, what="file", pipes=False, limit=None):
    """The contents of the regular file ``path``, at most ``limit`` bytes.

    ``limit`` defaults to ``MAX_READ_BYTES``.  With ``pipes=True`` a pipe
    or FIFO (``<(gunzip -c d.csv.gz)``) is read too, to the same limit.
    Directories, devices and sockets are refused before anything is read.
    """
    path = fspath(path, what)
    limit = MAX_READ_BYTES if limit is None else positive_int(limit, "limit")
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    nonblock = getattr(os, "O_NONBLOCK", 0)       # opening a FIFO must not wait for a writer
    try:
        waits = pipes and stat.S_ISFIFO(os.stat(path).st_mode)
        fd = os.open(path, flags | (0 if waits else nonblock))
    except OSError as err:
        raise _failure("read", what, path, _reason(err)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _failure("read", what, path, os.strerror(21))       # EISDIR
        if stat.S_ISREG(mode):
            _check_size(os.fstat(fd).st_size, limit, what, path)
        elif pipes and stat.S_ISFIFO(mode):
            os.set_blocking(fd, True)
        else:
            allowed = "a regular file or a pipe" if pipes else "a regular file"
            raise _failure("read", what, path, f"it is {_kind(mode)}, not {allowed}")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            _check_size(total, limit, what, path)
    except OSError as err:
        raise _failure("read", what, path, _reason(err)) from None
    finally:
        os.close(fd)


def _check_size(size, limit, what, path):
    if size > limit:
        raise _failure("read", what, path,
                       f"it is larger than the limit of {limit} bytes "
                       "(nodenet.files.MAX_READ_BYTES; raise it to read bigger files)")


# -- checking a destination ------------------------------------------------------

def same_file(a, b):
    """True if the paths ``a`` and ``b`` name one file, or would once written.

    Existing files are compared by device and inode, so ``./d.csv``, a
    symbolic link and a hard link to ``d.csv`` all count; two paths that do
    not exist yet are compared after following links (``x/../o.json`` and
    ``o.json`` are one new file).

    >>> same_file(".", os.getcwd())
    True
    """
    try:
        sa = os.stat(a)
    except (OSError, ValueError):
        sa = None
    try:
        sb = os.stat(b)
    except (OSError, ValueError):
        sb = None
    if sa is not None and sb is not None:
        return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
    if sa is None and sb is None:
        return os.path.realpath(a) == os.path.realpath(b)
    return False


def check_writable(path, what="file"):
    """Refuse ``path`` now if ``write_atomic`` could not write it.

    It must not be a folder, its folder must exist and be writable, and an
    existing file there must be writable.  Nothing is created or changed.
    Returns the real path that a write would replace (symbolic links followed).
    """
    return _destination(fspath(path, what), what)[0]


def _destination(path, what):
    """``(target, stat or None)``: the real file a write of ``path`` replaces, checked."""
    if path.endswith(("/", os.sep)):
        raise _failure("write", what, path, "it names a folder; give a file name")
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _failure("write", what, path, _reason(err)) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _failure("write", what, path, "it is a directory; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        if not os.access(target, os.W_OK):
            raise _failure("write", what, path, os.strerror(13))      # EACCES
        return target, info
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise _failure("write", what, path, f"the folder {shown(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _failure("write", what, path, f"{os.strerror(13)} (the folder {shown(folder)} "
                                            "is not writable)")
    if info is not None and not os.access(target, os.W_OK):
        raise _failure("write", what, path, f"{os.strerror(13)} (the file is read-only)")
    return target, info


# -- writing -------------------------------------------------------------------

def write_atomic(path, data, what="file"):
    """Write ``data`` (str, as UTF-8, or bytes) to ``path`` all at once or not at all.

    A failure at any point (a full disk, Ctrl-C, a crash) leaves an earlier
    file at ``path`` as it was; see the module docstring for the details.
    """
    path = fspath(path, what)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target, info = _destination(path, what)
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_device(target, payload, what, path)
        return
    mode = stat.S_IMODE(info.st_mode) if info is not None else None
    folder = os.path.dirname(target)
    name = None
    try:
        name = _write_unnamed(folder, os.path.basename(target), payload, mode)
        if name is None:
            name = _write_named(folder, os.path.basename(target), payload, mode)
        os.replace(name, target)
        name = None
        _sync_folder(folder)
    except BaseException as err:
        if name is not None:
            try:
                os.unlink(name)
            except OSError:
                pass
        if isinstance(err, OSError):
            raise _failure("write", what, path, f"{_reason(err)}; any previous file there "
                                                "is unchanged") from None
        raise


def _write_all(fd, payload, mode):
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]
    if mode is not None and hasattr(os, "fchmod"):
        os.fchmod(fd, mode)              # a replaced file keeps its permissions
    os.fsync(fd)


def _write_unnamed(folder, base, payload, mode):
    """Linux: write an O_TMPFILE in ``folder``, then give it a temporary name; None if unsupported."""
    tmpfile = getattr(os, "O_TMPFILE", None)
    if tmpfile is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        fd = os.open(folder, tmpfile | os.O_WRONLY | os.O_CLOEXEC, 0o666)
    except OSError:
        return None                      # the file system cannot: use a named file
    try:
        _write_all(fd, payload, mode)
        here = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
        try:
            for n in range(100):
                name = _temporary_name(folder, base)
                try:
                    # linkat(AT_SYMLINK_FOLLOW) names the open file; the dir fds make
                    # os.link call linkat rather than link
                    os.link(f"/proc/self/fd/{fd}", os.path.basename(name), src_dir_fd=here,
                            dst_dir_fd=here, follow_symlinks=True)
                    return name
                except FileExistsError:
                    continue
                except OSError:
                    return None          # no /proc magic here: write a named file instead
        finally:
            os.close(here)
        raise FileExistsError(17, "no free temporary name")
    finally:
        os.close(fd)


def _write_named(folder, base, payload, mode):
    """Write a new ``.BASE.nodenet-PID-N.tmp`` in ``folder``; return its name."""
    for n in range(100):
        name = _temporary_name(folder, base)
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                         | getattr(os, "O_BINARY", 0), 0o666)    # the system applies the umask
        except FileExistsError:
            continue
        try:
            _write_all(fd, payload, mode)
        except BaseException:
            os.close(fd)
            os.unlink(name)
            raise
        os.close(fd)
        return name
    raise FileExistsError(17, "no free temporary name")


def _temporary_name(folder, base):
    return os.path.join(folder, f".{base[:80]}.nodenet-{os.getpid()}-{next(_serial)}.tmp")


def _sync_folder(folder):
    """Make the rename itself durable (best effort: not every system can)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_device(target, payload, what, path):
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except OSError as err:
        raise _failure("write", what, path, _reason(err)) from None
