"""Files read and written safely: bounded reads, atomic writes, devices, killed writers."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest

from translator import InputError, files
from translator.api import check_output, write_document
from translator.formats import text_source
from translator.testing import StandInBackend

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def result():
    from translator import Translator

    translator = Translator(backend=StandInBackend(), cache=False, retry_degenerate=False)
    source = text_source("Ein Satz. Noch einer.")
    return source, translator.translate_text(source.text)


def _node(path, kind: int, device: tuple[int, int]) -> None:
    try:
        os.mknod(path, kind | 0o666, os.makedev(*device))
    except PermissionError:
        pytest.skip("making device nodes needs root")


# -- outputs that are not regular files (item: -o /dev/null, a FIFO) -----------------------


def test_a_fifo_output_is_written_into_and_its_reader_gets_the_text(result, tmp_path):
    """Guards -o onto a FIFO: the rename replaced the FIFO with a regular file, and whoever
    read the FIFO waited forever."""
    source, document = result
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    write_document(document, fifo, source=source, format="txt")
    reader.join(timeout=30)
    assert received == [document.target.encode()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_character_device_output_is_written_into_not_replaced(result, tmp_path):
    """Guards -o /dev/null as root: the rename replaced the device node with a regular file.
    (A node of /dev/null's kind made here, so a failure never touches the real one.)"""
    source, document = result
    null = tmp_path / "null"
    _node(null, stat.S_IFCHR, (1, 3))
    write_document(document, null, source=source, format="txt")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_a_disk_is_refused_as_an_output(result, tmp_path):
    source, _ = result
    disk = tmp_path / "disk"
    _node(disk, stat.S_IFBLK, (7, 250))
    with pytest.raises(InputError, match="block device"):
        check_output(disk, source, "txt")


def test_the_standard_output_by_its_path_is_written_into(result):
    """``-o /dev/stdout`` (``/proc/self/fd/1``) writes to the standard output, whatever it is,
    and renames nothing. (The /proc path: a failure must never replace this machine's
    /dev/stdout with a file.)"""
    code = (
        "from translator import Translator; from translator.testing import StandInBackend;"
        "from translator.api import write_document;"
        "t = Translator(backend=StandInBackend(), cache=False, retry_degenerate=False);"
        "write_document(t.translate_text('Ein Satz.'), '/proc/self/fd/1', format='txt')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=300,
        env={**os.environ, "PYTHONPATH": ROOT},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b"EIN SATZ."


def test_a_symbolic_link_to_an_output_stays_a_link(result, tmp_path):
    source, document = result
    real = tmp_path / "real.txt"
    real.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_document(document, link, source=source)
    assert link.is_symlink() and real.read_bytes() == document.target.encode()


def test_a_long_output_name_still_gets_its_temporary_file(result, tmp_path):
    """The temporary file's name adds a prefix and a suffix: a name near the file system's
    limit (255 bytes) must not make it too long."""
    source, document = result
    target = tmp_path / ("n" * 250 + ".txt")
    write_document(document, target, source=source)
    assert target.read_bytes() == document.target.encode()


# -- debris of killed writers -------------------------------------------------------------

_SLOW_WRITER = """
import os, sys, time
from translator import files
os.fsync = lambda fd: (print("writing", flush=True), time.sleep(600))
files.write_atomically(sys.argv[1], b"half")
"""


def test_the_next_write_removes_what_a_killed_writer_left(tmp_path):
    """Guards against debris: `kill -9` during a write left `.NAME.XXXX.part` beside the output
    forever. Its writer is gone, so the next write into the folder removes it."""
    writer = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(tmp_path / "out.txt")],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert writer.stdout is not None and writer.stdout.readline() == b"writing\n"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    (debris,) = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert debris.name.startswith(f".out.txt.{writer.pid}-")
    files.write_atomically(tmp_path / "other.txt", b"x")
    assert debris.exists()  # just written: maybe a writer this machine doesn't see
    an_hour_ago = time.time() - 2 * files.ORPHAN_AFTER_S
    os.utime(debris, (an_hour_ago, an_hour_ago))
    files.write_atomically(tmp_path / "other.txt", b"y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.txt"]


def test_only_stale_temporary_files_are_removed(tmp_path):
    now = time.time()
    old, recent = now - 2 * files.STALE_AFTER_S, now - 2 * files.ORPHAN_AFTER_S
    names = {
        f".a.txt.{os.getpid()}-0123abcd.part": recent,  # a running writer (this process)
        ".b.txt.0123abcd.part": recent,  # an earlier version's, not yet an hour old
        ".c.txt.0123abcd.part": old,  # an earlier version's, old: removed
        f".d.txt.{os.getpid()}-0123abcd.part": old,  # anyone's, an hour old: removed
        ".notes.part": old,  # not ours
        "e.txt.1-0123abcd.part": old,  # not hidden: not ours
    }
    for name, stamp in names.items():
        (tmp_path / name).write_bytes(b"")
        os.utime(tmp_path / name, (stamp, stamp))
    removed = files.clean_stale_parts(tmp_path)
    assert sorted(removed) == [".c.txt.0123abcd.part", f".d.txt.{os.getpid()}-0123abcd.part"]
    assert len(list(tmp_path.iterdir())) == 4


# -- bounded reads --------------------------------------------------------------------------


def test_a_device_is_refused_before_anything_is_read():
    with pytest.raises(InputError, match="the corpus /dev/zero is a device"):
        files.read_capped("/dev/zero", 100, "the corpus")


def test_a_file_longer_than_its_cap_is_refused(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match="larger than 1 KB"):
        files.read_capped(path, 1024, "the file")
    assert files.read_capped(path, 2000) == b"x" * 2000


def test_an_endless_fifo_is_read_only_up_to_the_cap(tmp_path):
    fifo = tmp_path / "endless"
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed() -> None:
        try:
            with open(fifo, "wb") as handle:
                while not stop.is_set():
                    handle.write(b"Wort " * 1000)
        except BrokenPipeError:
            pass  # the reader stopped at its cap

    threading.Thread(target=feed, daemon=True).start()
    try:
        with pytest.raises(InputError, match="larger than 64 KB"):
            files.read_capped(fifo, 64 * 1024, "the corpus")
    finally:
        stop.set()
