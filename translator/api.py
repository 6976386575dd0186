"""The public functions: ``translate()`` for files, ``translate_text()`` for strings."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import config, files, formats
from .document import Document, Span
from .engine import Progress, Translator, resolve_model_name
from .errors import InputError
from .formats import Source

MAX_LOADED = 2  # models kept loaded at once (a server's visitors may name many): the last used

_translators: OrderedDict[tuple[str, ...], Translator] = OrderedDict()
_translators_lock = threading.Lock()


def get_translator(
    model: str | os.PathLike[str] | None = None, device: str = "auto", backend: str = "auto"
) -> Translator:
    """A loaded Translator, shared by every call that names the same model, device and engine.

    The settings the environment gives a Translator (engine, cache, retries) are part of the
    key, so a changed environment gets a Translator of its own. Only the ``MAX_LOADED`` most
    recently used stay loaded; the others are released once no caller holds them.
    """
    environment = (
        config.BACKEND, config.CACHE, config.CACHE_DIR, config.CT2_CACHE, config.RETRY,
        "XDG_CACHE_HOME",
    )  # fmt: skip
    key = (resolve_model_name(model), device, backend, *map(config.setting, environment))
    with _translators_lock:
        if key in _translators:
            _translators.move_to_end(key)
            return _translators[key]
    translator = Translator(key[0], device=device, backend=backend)  # slow: outside the lock
    with _translators_lock:
        translator = _translators.setdefault(key, translator)
        _translators.move_to_end(key)
        while len(_translators) > MAX_LOADED:
            _translators.popitem(last=False)
        return translator


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
    cache: bool = True,
) -> Document:
    """Translate German ``text`` into a Document (English text, spans into both, signature).

    ``alternatives``: up to that many further translations per sentence from the beam.
    ``paragraphs``: fixed paragraph spans (a file's units) instead of blank-line paragraphs.
    ``cache=False``: neither read nor write the sentence cache.
    """
    translator = translator or get_translator(model, device, backend)
    return translator.translate_text(
        text,
        beam=beam,
        alternatives=alternatives,
        progress=progress,
        paragraphs=paragraphs,
        cache=cache,
    )


def translate_source(source: Source, **options: Any) -> Document:
    """Translate what a reader read (``translator.formats.read_bytes``) unit by unit.

    A file with nothing to translate is an ``InputError``, not an empty output that looks like
    a translation.
    """
    if not source.text.strip():
        why = ""
        if source.format == "txt":
            why = ": it is empty" if not source.text else ": it holds only whitespace"
        raise InputError(f"{source.name} has no text to translate{why}")
    document = translate_text(source.text, paragraphs=source.units, **options)
    document.metadata = dict(source.metadata)
    return document


def translate(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    **options: Any,
) -> Document:
    """Translate a file (.txt, .md, .html, .docx, .srt, .pdf, .epub) or the article at an
    ``https://`` URL; with ``output``, also write the result.

    The output's format follows ``format`` (a name: txt, md, html, docx, srt, json,
    bilingual-html, tmx, xliff, epub, bilingual-epub) or else its extension. ``options`` are
    those of :func:`translate_text`. The input file is never overwritten. A URL is fetched
    (``translator.formats.read_url``) and its article read as Markdown: write it as .md, .txt,
    .json, .bilingual.html, .tmx or .xlf.
    """
    is_url = formats.is_url(path)
    source = formats.read_url(str(path)) if is_url else formats.read_path(path)
    if output is not None:
        check_output(output, source, format, input_path=None if is_url else path)
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
    files.check_writable(target)
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
    """Write the translation to ``output`` in the format asked for (else by its extension).

    A regular file is written atomically (a temporary file beside it, then a rename), so an
    interrupted run never leaves half a file and a previous output stays whole until the new one
    is complete; a device or FIFO is written into directly (see ``translator.files``).
    """
    target = Path(output)
    chosen = check_output(target, source, format)
    files.write_atomically(target, formats.write_bytes(document, source, chosen.name))


def _same_file(a: Path, b: Path) -> bool:
    try:
        if b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()
