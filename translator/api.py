"""The public functions: ``translate()`` for files, ``translate_text()`` for strings."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import formats
from .document import Document, Span
from .engine import Progress, Translator, resolve_model_name
from .errors import InputError
from .formats import Source

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
    alternatives: int = 0,
    progress: Progress | None = None,
    translator: Translator | None = None,
    paragraphs: Sequence[Span] | None = None,
) -> Document:
    """Translate German ``text`` into a Document (English text, spans into both, signature).

    ``alternatives``: up to that many further translations per sentence from the beam.
    ``paragraphs``: fixed paragraph spans (a file's units) instead of blank-line paragraphs.
    """
    translator = translator or get_translator(model, device, backend)
    return translator.translate_text(
        text, beam=beam, alternatives=alternatives, progress=progress, paragraphs=paragraphs
    )


def translate_source(source: Source, **options: Any) -> Document:
    """Translate what a reader read (``translator.formats.read_bytes``) unit by unit."""
    return translate_text(source.text, paragraphs=source.units, **options)


def translate(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    **options: Any,
) -> Document:
    """Translate a file (.txt, .md, .html, .docx, .srt); with ``output``, also write the result.

    The output's format follows ``format`` (a name: txt, md, html, docx, srt, json,
    bilingual-html, tmx, xliff) or else its extension. ``options`` are those of
    :func:`translate_text`. The input file is never overwritten.
    """
    source = formats.read_path(path)
    if output is not None:
        check_output(output, source, format, input_path=path)
    document = translate_source(source, **options)
    if output is not None:
        write_document(document, output, source=source, format=format)
    return document


def check_output(
    output: str | os.PathLike[str],
    source: Source | None,
    format: str | None = None,
    *,
    input_path: str | os.PathLike[str] | None = None,
) -> formats.Format:
    """The writer for ``output``, once it is known that it can be written (before any work)."""
    target = Path(output)
    chosen = formats.writer_for(target.name, format, source)
    if not target.parent.is_dir():
        raise InputError(f"the folder {target.parent} for the output does not exist")
    if target.is_dir():
        raise InputError(f"the output {target} is a directory")
    if input_path is not None and _same_file(Path(input_path), target):
        raise InputError(f"the output {target} is the input file: choose another name")
    return chosen


def write_document(
    document: Document,
    output: str | os.PathLike[str],
    *,
    source: Source | None = None,
    format: str | None = None,
) -> None:
    """Write atomically, so an interrupted run never leaves half a file behind."""
    target = Path(output)
    chosen = check_output(target, source, format)
    data = formats.write_bytes(document, source, chosen.name)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        if b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()
