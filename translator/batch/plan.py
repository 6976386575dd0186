"""From what the user named to a list of outputs to make: folders walked, globs applied, the
folder tree mirrored, corpora told from documents.

A folder is walked recursively in name order (hidden files and folders, and the output folder
itself, left out) for every file the translator reads or every corpus; a file named on its own is
taken whatever its extension (read as text when unknown, as the single-file command does). Globs
match the path relative to the named folder, or the file's name when they hold no ``/``
(``--include '*.md' --exclude 'drafts/*'``). Each folder's tree is mirrored into the output
folder; a file named on its own lands at its top. Two inputs that would make the same output are
an error before any work, as is an output folder inside which nothing could be written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from .. import formats
from ..errors import InputError
from ..files import is_part
from . import corpus


@dataclass(slots=True)
class Item:
    """One output to make: a document from a file, or a corpus with an English column."""

    key: str  # the output's path relative to the output folder, with / separators
    path: Path  # the input file
    input: str  # the input as the user would name it
    kind: str  # "file" or "corpus"
    format: str | None = None  # a document's output format (None: its own)
    error: str | None = None  # known unusable before any work
    extra: dict = field(default_factory=dict)


def find(
    inputs: Sequence[str | os.PathLike[str]],
    out: Path,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    format: str | None = None,
) -> list[Item]:
    """Every output to make from ``inputs``, in a stable order; a missing input is an item that
    failed (reported with the rest), not the end of the run."""
    if format is not None:
        formats.format_named(format)  # an unknown name fails at once
    found: list[Item] = []
    out_resolved = out.resolve()
    for given in inputs:
        name = os.fspath(given)
        if formats.is_url(name):
            raise InputError(
                f"{name}: a batch reads files; translate a web page with `translator URL -o FILE`"
            )
        path = Path(name)
        if path.is_dir() and path.resolve() == out_resolved:
            raise InputError(
                f"{name} is the output folder too: its translations would be read as input "
                "on the next run; choose another --out"
            )
        if path.is_dir():
            for file, relative in _walk(path, out_resolved):
                if _chosen(relative, include, exclude):
                    found.append(_item(file, relative, format))
        elif path.exists() or path.is_symlink():
            relative = PurePosixPath(path.name)
            if _chosen(relative, include, exclude):
                found.append(_item(path, relative, format))
        else:
            found.append(
                Item(path.name, path, name, "file", format, error=f"{name} does not exist")
            )
    if not found:
        raise InputError("no files to translate: check the inputs and --include/--exclude")
    return _unique(found)


def _walk(folder: Path, out: Path) -> Iterable[tuple[Path, PurePosixPath]]:
    readable = set(formats.READABLE_EXTENSIONS) | set(corpus.KINDS)
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != out)
        for file in sorted(files):
            if file.startswith(".") or not _readable(file, readable):
                continue
            path = here / file
            yield path, PurePosixPath(path.relative_to(folder).as_posix())


def _readable(name: str, extensions: set[str]) -> bool:
    lower = name.lower()
    return any(lower.endswith(ext) for ext in extensions)


def _chosen(relative: PurePosixPath, include: Sequence[str], exclude: Sequence[str]) -> bool:
    def matches(pattern: str) -> bool:
        text = relative.as_posix()
        if "/" not in pattern.rstrip("/"):
            return fnmatchcase(relative.name, pattern) or fnmatchcase(text, pattern)
        return fnmatchcase(text, pattern.rstrip("/")) or fnmatchcase(text, pattern)

    if include and not any(matches(p) for p in include):
        return False
    return not any(matches(p) for p in exclude)


def _item(path: Path, relative: PurePosixPath, format: str | None) -> Item:
    kind = corpus.kind_of(relative.name)
    if kind is not None:
        suffix = next(e for e in corpus.KINDS if relative.name.lower().endswith(e))
        stem = relative.name[: -len(suffix)]
        key = (relative.parent / f"{stem}.en{relative.name[-len(suffix) :]}").as_posix()
        return Item(key, path, str(path), "corpus")
    try:
        reader = formats.reader_for(relative.name)
        name = format or _own(reader.name)
        output = formats.output_name(relative.name, name)
    except InputError as error:
        return Item(relative.as_posix(), path, str(path), "file", format, error=str(error))
    return Item((relative.parent / output).as_posix(), path, str(path), "file", format)


def _own(reader: str) -> str:
    from .work import own_format

    return own_format(reader)


def _unique(items: list[Item]) -> list[Item]:
    """Items whose outputs collide are an error naming both (nothing is overwritten unseen)."""
    first: dict[str, Item] = {}
    for item in items:
        key = item.key.lower()  # a case-insensitive file system would merge them too
        if key in first and item.error is None:
            other = first[key]
            raise InputError(
                f"{other.input} and {item.input} would both be written to {item.key}: "
                "translate them into different --out folders"
            )
        first.setdefault(key, item)
    return items


def check_out(out: Path) -> None:
    """The output folder can be made and written (before any work)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"the output {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"can't create the output folder {out}: {error.strerror}") from error
    if not os.access(out, os.W_OK | os.X_OK):
        raise InputError(f"the output folder {out} can't be written to")


def stale_parts(out: Path) -> Iterable[Path]:
    """Temporary files a killed run left (``.NAME.PID-xxxxxxxx.part``, as ``write_atomically``
    names them), to be removed before a rerun."""
    for root, _dirs, files in os.walk(out):
        for file in files:
            if is_part(file):
                yield Path(root) / file
