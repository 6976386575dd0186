"""What a batch has finished, in its output folder, so a rerun skips it and redoes what changed.

One JSON record per line in ``OUT/.translator-batch/manifest.jsonl``, appended and fsynced after
each output is in place: a kill loses at most the record being written (a torn last line is
ignored), so at most the work in flight is done again. A record names the output, the SHA-256 of
the input it was made from, the signature (model, engine, decoding, and the batch's own options)
and the SHA-256 of the output; a later record for the same output replaces an earlier one. Work
counts as done only while all of that still holds: the input is unchanged, the settings are the
same, and the output is the file that was written.

A lock file keeps two runs from writing into one folder at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import files
from ..errors import InputError
from ..files import write_atomically

FOLDER = ".translator-batch"  # inside the output folder: the manifest, the lock, corpus parts
FILE = "manifest.jsonl"
LOCK = "lock"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    """The file's SHA-256, or None when it can't be read (missing, a folder, no permission)."""
    try:
        return files.sha256_of(path)
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class Record:
    """One finished output: ``key`` is its path relative to the output folder (a corpus part:
    ``PATH#N``); ``signature`` is how it was made (the translator's and the batch's options)."""

    key: str
    input: str  # the input's path as given (or the corpus and row range of a part)
    input_sha256: str
    signature: str
    output_sha256: str
    sentences: int
    seconds: float

    def to_line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_line(cls, line: str) -> Record | None:
        """The record on a line, or None for a torn or foreign line."""
        try:
            data: Any = json.loads(line)
            return cls(
                key=str(data["key"]),
                input=str(data["input"]),
                input_sha256=str(data["input_sha256"]),
                signature=str(data["signature"]),
                output_sha256=str(data["output_sha256"]),
                sentences=int(data["sentences"]),
                seconds=float(data["seconds"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


class Manifest:
    """The records of one output folder; ``open()`` takes the folder's lock until ``close()``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.folder = out / FOLDER
        self.path = self.folder / FILE
        self.records: dict[str, Record] = {}
        self._handle: Any = None
        self._lock: Any = None

    def open(self) -> Manifest:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.folder / LOCK, "a+b")  # noqa: SIM115 - held until close()
        except OSError as error:
            raise InputError(f"can't write to {self.out}: {error.strerror or error}") from error
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            self._lock.close()
            raise InputError(
                f"another `translator batch` is writing to {self.out}: wait for it to finish, "
                "or choose another --out"
            ) from error
        self.records = dict(self._read())
        self._compact()
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        return self

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._lock is not None:
            self._lock.close()  # releases the lock
            self._lock = None

    def __enter__(self) -> Manifest:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> Iterator[tuple[str, Record]]:
        try:
            text = self.path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return
        for line in text.splitlines():
            record = Record.from_line(line)
            if record is not None:
                yield record.key, record

    def _compact(self) -> None:
        """One line per output, and no torn line for the next append to follow."""
        lines = "".join(r.to_line() + "\n" for r in self.records.values())
        write_atomically(self.path, lines.encode("utf-8"))

    def add(self, record: Record) -> None:
        """Record a finished output (after it is in place), durably before the next one."""
        self.records[record.key] = record
        self._handle.write(record.to_line() + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def forget(self, keys: list[str]) -> None:
        """Drop records (a finished corpus's parts) at the next compaction."""
        for key in keys:
            self.records.pop(key, None)

    def finished(self, key: str, input_sha256: str, signature: str, output: Path) -> bool:
        """Whether ``key`` was made from this very input with these settings, and its output is
        still the file that was written."""
        record = self.records.get(key)
        return (
            record is not None
            and record.input_sha256 == input_sha256
            and record.signature == signature
            and sha256_file(output) == record.output_sha256
        )

    def finish(self) -> None:
        """Rewrite the manifest without dropped records (at the end of a run)."""
        if self._handle is not None:
            self._handle.close()
            self._compact()
            self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
