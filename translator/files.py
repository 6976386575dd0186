"""Files the program reads and writes, safely: bounded reads, atomic writes, no debris.

**Reading.** Every file the program reads besides the model's weights (inputs, a corpus, gold
alignments, a model's small files) goes through :func:`read_capped`: a device is refused, and
anything longer than its cap is an error after reading cap + 1 bytes, so ``/dev/zero`` or an
endless FIFO can't fill the memory.

**Writing.** :func:`write_atomically` writes a regular file through a temporary file beside it and
a rename, so an interrupted run never leaves half a file and a previous output stays whole until
the new one is complete. A device node, a FIFO, and anything under ``/dev`` or ``/proc``
(``/dev/stdout``) is written into directly instead: renaming onto it would replace the node with
a regular file (as root, ``-o /dev/null``) and leave a FIFO's reader waiting forever. A symbolic
link to a regular file stays a link: its target is replaced.

**Debris.** The temporary file is ``.NAME.PID-RANDOM.part``. One left by a killed writer (``kill
-9``, a power cut) is removed by the next write into the same folder: when its writer process is
gone (and it was not touched for a minute: a writer on another machine or in another container
sharing the folder has a pid this machine doesn't know), or when it is older than an hour.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
import time
from pathlib import Path

from .errors import InputError

STALE_AFTER_S = 3600  # a temporary file this old is debris, whoever wrote it
ORPHAN_AFTER_S = 60  # …and one whose writer is gone, once untouched for this long
NAME_ROOM = 120  # characters of the output's name kept in its temporary file's name
_PART = re.compile(r"\A\..*\.(?P<pid>\d+)-[0-9a-f]{8}\.part\Z", re.S)
_OLDER_PART = re.compile(r"\A\..*\.[0-9a-f]{8}\.part\Z", re.S)  # before the pid was recorded
_DIRECT_PREFIXES = ("/dev/", "/proc/")


# -- reading ----------------------------------------------------------------------------------


def read_capped(path: str | os.PathLike[str], limit: int, what: str = "") -> bytes:
    """The bytes of the regular file (or FIFO) at ``path``, at most ``limit`` of them.

    ``InputError`` names ``what`` (e.g. "the corpus") and the path: a directory, a device, a
    missing or unreadable file, or one longer than ``limit`` bytes.
    """
    name = f"{what} {os.fspath(path)}".strip()
    try:
        with open(path, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise InputError(f"{name} is a device, not a file")
            data = handle.read(limit + 1)
    except IsADirectoryError as error:
        raise InputError(f"{name} is a directory, not a file") from error
    except FileNotFoundError as error:
        raise InputError(f"{name} does not exist") from error
    except OSError as error:
        raise InputError(f"{name} can't be read: {error.strerror or error}") from error
    if len(data) > limit:
        raise InputError(f"{name} is larger than {_size(limit)}: it can't be what it should be")
    return data


def read_text_capped(path: str | os.PathLike[str], limit: int, what: str = "") -> str:
    """:func:`read_capped`, decoded as UTF-8 (a byte order mark dropped)."""
    data = read_capped(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        name = f"{what} {os.fspath(path)}".strip()
        raise InputError(f"{name} is not UTF-8 text (byte {error.start})") from error


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes (read in 1 MB pieces: a model's weights fit no memory
    budget at once)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 2**10} KB"


# -- writing ----------------------------------------------------------------------------------


def writes_in_place(path: Path) -> bool:
    """Whether ``path`` is written into directly: an existing device node, FIFO, or socket, or
    a path under ``/dev`` or ``/proc``."""
    if os.path.abspath(path).startswith(_DIRECT_PREFIXES) and os.path.lexists(path):
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # missing (or a dangling link): a new regular file


def check_writable(path: Path) -> None:
    """``InputError`` unless ``path`` can be written as an output (checked before any work)."""
    if path.is_dir():
        raise InputError(f"the output {path} is a directory")
    if writes_in_place(path) and path.exists():
        mode = os.stat(path).st_mode
        if stat.S_ISBLK(mode):
            raise InputError(f"the output {path} is a disk (a block device): choose a file")
        if stat.S_ISSOCK(mode):
            raise InputError(f"the output {path} is a socket: choose a file")
        if not os.access(path, os.W_OK):
            raise InputError(f"the output {path} can't be written to")
        return
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():
        raise InputError(f"the folder {path.parent} for the output does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"the folder {folder} for the output can't be written to")


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` (see the module's doc); ``InputError`` when it can't be."""
    target = Path(path)
    if writes_in_place(target):
        _write_into(target, data)
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))  # replace the file, keep the link
    clean_stale_parts(target.parent)
    name = target.name[:NAME_ROOM]
    temporary = target.with_name(f".{name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        # 0o666 as open() would: the umask applies, unlike mkstemp's private 0o600.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(f"can't write {path}: {error.strerror or error}") from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_into(target: Path, data: bytes) -> None:
    """Straight into a device or FIFO (a FIFO without a reader waits for one, as a shell does)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
    except OSError as error:
        raise InputError(f"can't write {target}: {error.strerror or error}") from error


def clean_stale_parts(folder: Path, now: float | None = None) -> list[str]:
    """Remove the temporary files killed writers left in ``folder``; the names removed."""
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(".part")):
            continue
        ours = _PART.match(name)
        if ours is None and _OLDER_PART.match(name) is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        age = now - info.st_mtime
        orphan = ours is not None and age > ORPHAN_AFTER_S and not _running(int(ours["pid"]))
        if age > STALE_AFTER_S or orphan:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(name)
    return removed


def is_part(name: str) -> bool:
    """Whether ``name`` is one of ``write_atomically``'s temporary files."""
    return bool(_PART.match(name) or _OLDER_PART.match(name))


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists here (unknown: assume it does)."""
    if os.name != "posix" or pid <= 0:
        return True  # os.kill(pid, 0) would terminate a process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but is someone else's
    return True
