"""Issue 11, items 14 and 15: saving and reading files at the edges.

Saves go through symbolic links to the file, keep a replaced file's mode,
never touch the process umask, refuse read-only files, and turn every OS
error into a NodenetError naming the file; a process killed while saving
leaves the old file and (on Linux) nothing else.  Loads read regular files
only, to a documented limit.
"""

import os
import pathlib
import signal
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

import nodenet.files
from nodenet import Network, NodenetError
from nodenet.data import read_csv
from nodenet.modelfile import load

posix = pytest.mark.skipif(os.name != "posix", reason="needs POSIX links, modes and FIFOs")


def names(folder):
    return sorted(p.name for p in pathlib.Path(folder).iterdir())


# -- saving ----------------------------------------------------------------------

@posix
def test_save_through_a_symlink_updates_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.json"
    Network([2, 1], seed=1).save(target)
    link = tmp_path / "link.json"
    link.symlink_to(os.path.join("real", "model.json"))
    new = Network([2, 1], seed=2)
    new.save(link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "model.json")
    assert load(target).to_matrices() == new.to_matrices()
    assert names(tmp_path / "real") == ["model.json"] and names(tmp_path) == ["link.json", "real"]


@posix
def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    Network([2, 1], seed=1).save(link)
    assert link.is_symlink() and load(tmp_path / "made.json").sizes == [2, 1]


@posix
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o755])
def test_re_saving_keeps_the_files_permissions(tmp_path, mode):
    path = tmp_path / "model.json"
    Network([2, 1], seed=1).save(path)
    os.chmod(path, mode)
    Network([2, 1], seed=2).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


@posix
def test_a_new_file_gets_0666_less_the_umask_and_the_umask_is_never_touched(tmp_path, monkeypatch):
    old = os.umask(0o027)
    try:
        def no_umask(mask):
            raise AssertionError("os.umask called while saving")
        monkeypatch.setattr(os, "umask", no_umask)
        Network([2, 1]).save(tmp_path / "a.json")
        nodenet.files.write_atomic(tmp_path / "b.csv", "x\n")
        nodenet.files.write_atomic(tmp_path / "c.png", b"\x89PNG")
        monkeypatch.undo()
    finally:
        os.umask(old)
    for name in ("a.json", "b.csv", "c.png"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o640, name
    assert (tmp_path / "c.png").read_bytes() == b"\x89PNG"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_device_gives_a_nodeneterror_naming_it():
    with pytest.raises(NodenetError, match=r"^cannot write model file /dev/full: No space left "
                                           r"on device$"):
        Network([2, 1]).save("/dev/full")
    with pytest.raises(NodenetError, match=r"^cannot write file /dev/full: No space left"):
        nodenet.files.write_atomic("/dev/full", "x")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a non-root POSIX user (root may write anything)")
def test_a_read_only_file_is_refused_not_replaced(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("keep")
    os.chmod(path, 0o444)
    with pytest.raises(NodenetError, match=r"Permission denied \(the file is read-only\)"):
        Network([2, 1]).save(path)
    assert path.read_text() == "keep"


def test_a_read_only_file_is_refused_as_the_os_reports_it(tmp_path, monkeypatch):
    """The same check for any user: os.access says no write access."""
    path = tmp_path / "model.json"
    path.write_text("keep")
    real_access = os.access

    def access(p, mode, **kw):
        return real_access(p, mode, **kw) and os.path.realpath(p) != os.path.realpath(path)
    monkeypatch.setattr(os, "access", access)
    with pytest.raises(NodenetError, match=r"^cannot write model file .*model.json: Permission "
                                           r"denied \(the file is read-only\)$"):
        Network([2, 1]).save(path)
    assert path.read_text() == "keep" and names(tmp_path) == ["model.json"]


# A child process saves over m.json and is killed with SIGKILL in the middle
# (at the fsync, after all of the new text was written).
KILLED_SAVE = textwrap.dedent("""
    import os, signal, sys
    from nodenet import Network
    if sys.argv[2] == "named" and hasattr(os, "O_TMPFILE"):
        del os.O_TMPFILE                # as on a system without O_TMPFILE (PyPy has none)
    os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
    Network([3, 2], seed=99).save(sys.argv[1])
""")


@posix
@pytest.mark.parametrize("how", ["unnamed", "named"])
def test_a_save_killed_midway_keeps_the_old_file_and_leaves_what_the_docs_say(tmp_path, how):
    if how == "unnamed" and not (hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")):
        pytest.skip("needs Linux O_TMPFILE and /proc")
    path = tmp_path / "m.json"
    Network([3, 2], seed=1).save(path)
    original = path.read_bytes()
    done = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path), how],
                          capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert path.read_bytes() == original
    left = [n for n in names(tmp_path) if n != "m.json"]
    if how == "unnamed":
        assert left == []                               # the unnamed file died with the process
    else:
        assert len(left) == 1 and left[0].startswith(".m.json.nodenet-") \
            and left[0].endswith(".tmp")                # the documented leftover


@pytest.mark.parametrize("unnamed", [True, False])
def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch, unnamed):
    path = tmp_path / "m.json"
    Network([3, 2], seed=1).save(path)
    original = path.read_bytes()
    if not unnamed:
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    real_write = os.write

    def five_bytes_then_full(fd, data):
        real_write(fd, bytes(data[:5]))
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "write", five_bytes_then_full)
    with pytest.raises(NodenetError, match="No space left on device; any previous file "
                                           "there is unchanged"):
        Network([3, 2], seed=2).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == original and names(tmp_path) == ["m.json"]


def test_same_file_compares_files_not_names(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("x")
    os.link(a, tmp_path / "hard.txt")
    os.symlink("a.txt", tmp_path / "soft.txt")
    assert nodenet.files.same_file(a, tmp_path / "hard.txt") and nodenet.files.same_file(a, tmp_path / "soft.txt")
    assert nodenet.files.same_file(tmp_path / "new.txt", tmp_path / "sub" / ".." / "new.txt")
    assert not nodenet.files.same_file(a, tmp_path / "new.txt")
    (tmp_path / "b.txt").write_text("x")
    assert not nodenet.files.same_file(a, tmp_path / "b.txt")


# -- reading ---------------------------------------------------------------------

def test_read_errors_are_nodeneterrors_with_the_path_and_reason(tmp_path):
    missing = tmp_path / "none.csv"
    with pytest.raises(NodenetError, match=rf"^cannot read data file {missing}: No such file "
                                           r"or directory$"):
        read_csv(missing)
    with pytest.raises(NodenetError, match=rf"^cannot read data file {tmp_path}: Is a directory$"):
        read_csv(tmp_path)
    with pytest.raises(NodenetError, match=r"a data file path must be a str or os.PathLike, got int"):
        read_csv(3)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a non-root POSIX user (root may read anything)")
def test_an_unreadable_csv_gives_a_nodeneterror(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x\n1\n")
    os.chmod(path, 0)
    with pytest.raises(NodenetError, match=r"^cannot read data file .*d.csv: Permission denied$"):
        read_csv(path)


def in_child(code):
    """Run ``code`` in a fresh Python with a 1 GiB memory cap and a time limit.

    A regression (reading a FIFO or /dev/zero) then fails that child, not the test run.
    """
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, preexec_fn=cap)


@posix
def test_a_fifo_is_refused_as_a_model_without_waiting(tmp_path):
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    done = in_child(f"from nodenet import Network\nNetwork.load({str(fifo)!r})")
    assert done.stderr.strip().splitlines()[-1] == (
        f"nodenet.errors.NodenetError: cannot read model file {fifo}: it is a FIFO (named "
        "pipe), not a regular file")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_before_reading_it():
    done = in_child("from nodenet.modelfile import load\nload('/dev/zero')")
    assert done.stderr.strip().splitlines()[-1] == (
        "nodenet.errors.NodenetError: cannot read model file /dev/zero: it is a character "
        "device, not a regular file")
    done = in_child("from nodenet.data import read_csv\nread_csv('/dev/zero')")
    assert done.stderr.strip().splitlines()[-1] == (
        "nodenet.errors.NodenetError: cannot read data file /dev/zero: it is a character "
        "device, not a regular file or a pipe")


@posix
def test_a_csv_pipe_is_read(tmp_path):
    fifo = tmp_path / "d.csv"
    os.mkfifo(fifo)

    def writer():
        with open(fifo, "w") as f:
            f.write("x,y\n1,2\n")
    thread = threading.Thread(target=writer)
    thread.start()
    table = read_csv(fifo)
    thread.join(timeout=60)
    assert table.rows == [[1.0, 2.0]]


def test_reading_is_bounded_by_a_limit_the_user_can_raise(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    Network([2, 2, 1], seed=1).save(path)
    size = path.stat().st_size
    message = (rf"^cannot read model file {path}: it is larger than the limit of {size - 1} "
               r"bytes \(nodenet.files.MAX_READ_BYTES; raise it to read bigger files\)$")
    with pytest.raises(NodenetError, match=message):
        load(path, limit=size - 1)
    assert load(path, limit=size).sizes == [2, 2, 1]
    monkeypatch.setattr(nodenet.files, "MAX_READ_BYTES", size - 1)
    with pytest.raises(NodenetError, match=message):
        Network.load(path)
    with pytest.raises(NodenetError, match="larger than the limit"):
        read_csv(path)
    monkeypatch.setattr(nodenet.files, "MAX_READ_BYTES", size)
    assert Network.load(path).sizes == [2, 2, 1]
    assert nodenet.files.MAX_READ_BYTES == size
    with pytest.raises(NodenetError, match="limit must be at least 1, got 0"):
        nodenet.files.read_bytes(path, limit=0)
