"""The public functions: ``translate()`` for files, ``translate_text()`` for strings."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from .document import Document
from .engine import Progress, Translator, resolve_model_name
from .errors import InputError

WRITERS = {".txt": "the English text", ".json": "the whole document as JSON"}

_translators: dict[tuple[str, str, str], Translator] = {}
_translators_lock = threading.Lock()


def get_translator(
    model: str | os.PathLike[str] | None = None, device: str = "auto", backend: str = "auto"
) -> Translator:
    """A loaded Translator, shared by every call that names the same model, device and engine."""
    key = (resolve_model_name(model), device, backend)
    with _translators_lock:
        if key not in _translators:
            _translators[key] = Translator(key[0], device=device, backend=backend)
        return _translators[key]


def translate_text(
    text: str,
    *,
    model: str | os.PathLike[str] | None = None,
    device: str = "auto",
    backend: str = "auto",
    beam: int | None = None,
    progress: Progress | None = None,
    translator: Translator | None = None,
) -> Document:
    """Translate German ``text`` into a Document (English text, spans into both, signature)."""
    translator = translator or get_translator(model, device, backend)
    return translator.translate_text(text, beam=beam, progress=progress)


def translate(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Document:
    """Translate a UTF-8 text file; with ``output``, also write the result (format by extension).

    ``options`` are those of :func:`translate_text`.
    """
    if output is not None:
        _check_output(Path(output))
    document = translate_text(read_text(path), **options)
    if output is not None:
        write_document(document, output)
    return document


def read_text(path: str | os.PathLike[str]) -> str:
    source = Path(path)
    if source.is_dir():
        raise InputError(f"{source} is a directory, not a text file")
    try:
        data = source.read_bytes()
    except FileNotFoundError as error:
        raise InputError(f"{source} does not exist") from error
    except OSError as error:
        raise InputError(f"{source} can't be read: {error.strerror or error}") from error
    return decode_text(data, str(source))


def decode_text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} is not UTF-8 text (byte {error.start} can't be decoded); "
            f"save it as UTF-8 and try again"
        ) from error


def render(document: Document, suffix: str) -> str:
    """The file content for an output extension."""
    if suffix == ".json":
        return document.to_json(indent=2) + "\n"
    if suffix == ".txt":
        return document.target
    raise InputError(_unknown_suffix(suffix))


def write_document(document: Document, output: str | os.PathLike[str]) -> None:
    """Write atomically, so an interrupted run never leaves half a file behind."""
    target = Path(output)
    content = render(document, _check_output(target))
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _check_output(target: Path) -> str:
    suffix = target.suffix.lower()
    if suffix not in WRITERS:
        raise InputError(_unknown_suffix(suffix or "(none)"))
    if not target.parent.is_dir():
        raise InputError(f"the folder {target.parent} for the output does not exist")
    return suffix


def _unknown_suffix(suffix: str) -> str:
    known = ", ".join(f"{s} ({what})" for s, what in WRITERS.items())
    return f"can't write output with extension {suffix}; supported: {known}"
