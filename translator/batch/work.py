"""What a worker does: load a Translator once, then turn tasks into output bytes.

The same functions run in this process, in the local worker processes and in the Ray actors, so
every path writes exactly the same bytes. A worker never writes an output or the manifest: it
hands the bytes back and the driver writes them, so a worker that outlives a killed driver can't
leave anything behind. A task that fails comes back as an ``Outcome`` with its reason; only an
interrupt stops a worker.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TranslatorError
from . import corpus

if TYPE_CHECKING:
    from ..engine import Translator

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Settings:
    """How every worker builds its Translator (picklable: it travels to processes and actors).

    ``factory``, when given, builds the Translator instead (a module-level function taking these
    settings, e.g. a test engine); ``threads`` sets the cores each worker's engine computes on.
    """

    model: str | None = None
    device: str = "auto"
    backend: str = "auto"
    beam: int | None = None
    cache: bool = True
    threads: int | None = None
    factory: Callable[[Settings], Translator] | None = None


def load(settings: Settings) -> Translator:
    """The worker's Translator, loaded once; ``threads`` applies to engines loaded after it."""
    if settings.threads is not None:
        os.environ["OMP_NUM_THREADS"] = str(settings.threads)  # read by the engines at load
    if settings.factory is not None:
        return settings.factory(settings)
    from ..engine import Translator

    return Translator(
        settings.model,
        device=settings.device,
        backend=settings.backend,
        beam=settings.beam,
        cache=None if settings.cache else False,
    )


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: a file to translate whole, or a shard of a corpus's rows.

    ``key`` is the output's path relative to the output folder (a shard: ``PATH#N``);
    ``size`` (bytes, or characters of a shard) lets the progress bar estimate what is left.
    """

    key: str
    kind: str  # "file" or "shard"
    input: str  # the input as the user named it (a shard: the corpus and its rows)
    path: str = ""  # a file to read
    format: str | None = None  # a file's output format (None: its own)
    texts: tuple[str | None, ...] = ()  # a shard's rows
    details: bool = False  # a shard: also each row's words, links and scores
    size: int = 0


@dataclass(slots=True)
class Outcome:
    """What became of a task: the output's bytes, or why there are none."""

    key: str
    data: bytes | None = None
    input_sha256: str = ""
    sentences: int = 0
    seconds: float = 0.0
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def run_task(
    translator: Translator, task: Task, cache: bool = True, progress: Progress | None = None
) -> Outcome:
    """Translate one task; any error but an interrupt becomes the outcome's reason."""
    started = time.perf_counter()
    outcome = Outcome(task.key)
    counted = {"total": 0}

    def report(done: int, total: int) -> None:
        counted["total"] = max(counted["total"], total)
        if progress is not None:
            progress(done, total)

    try:
        if task.kind == "file":
            outcome.data, outcome.input_sha256 = _translate_file(translator, task, cache, report)
        else:
            outcome.data, outcome.input_sha256 = _translate_shard(translator, task, cache, report)
    except TranslatorError as error:
        outcome.error = str(error)
    except MemoryError:
        outcome.error = "out of memory: split it into parts"
    except RecursionError:
        outcome.error = "nested too deeply to read"
    except Exception as error:  # a bug or a reader's surprise: reported, the batch goes on
        outcome.error = f"unexpected error ({type(error).__name__}: {error})"
    outcome.sentences = counted["total"]
    outcome.seconds = time.perf_counter() - started
    return outcome


def _translate_file(
    translator: Translator, task: Task, cache: bool, progress: Progress
) -> tuple[bytes, str]:
    from .. import formats
    from ..api import translate_source
    from .manifest import sha256_of

    data = read_input(Path(task.path))
    source = formats.read_bytes(Path(task.path).name, data)
    name = task.format or own_format(source.format)
    formats.writer_for(None, name, source)  # a format this input can't become: before any work
    document = translate_source(source, translator=translator, cache=cache, progress=progress)
    return formats.write_bytes(document, source, name), sha256_of(data)


def _translate_shard(
    translator: Translator, task: Task, cache: bool, progress: Progress
) -> tuple[bytes, str]:
    from .manifest import sha256_of

    def translate(text: str, units: list) -> Any:
        return translator.translate_text(text, paragraphs=units, cache=cache, progress=progress)

    rows = corpus.translate_rows(task.texts, translate, task.details)
    return corpus.part_bytes(rows), sha256_of(shard_bytes(task.texts))


def shard_bytes(texts: tuple[str | None, ...] | list[str | None]) -> bytes:
    """A shard's rows as the bytes its hash is taken of."""
    import json

    return json.dumps(list(texts), ensure_ascii=False).encode("utf-8")


def read_input(path: Path) -> bytes:
    """A file's bytes (``InputError`` for a folder, a device, a missing file, or over 64 MB)."""
    import stat

    from .. import formats
    from ..errors import InputError

    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(f"{path} is not a regular file")
            return formats.read_limited(handle, str(path))
    except FileNotFoundError as error:
        raise InputError(f"{path} does not exist") from error
    except IsADirectoryError as error:
        raise InputError(f"{path} is a directory, not a file") from error
    except OSError as error:
        raise InputError(f"{path} can't be read: {error.strerror or error}") from error


def own_format(source_format: str) -> str:
    """The format a file is written in when none is chosen: its own (a PDF's text: Markdown)."""
    from .. import formats

    return source_format if source_format in formats.writers else "md"
