"""A batch from start to end: plan, skip what is done, translate the rest, write, summarise.

The driver (this process) plans and writes; workers (this process, local processes or Ray
actors) only translate. Each finished output is written atomically and then recorded in the
manifest, so a run stopped at any moment is continued by running it again: finished outputs are
skipped, changed inputs or settings redone, and the outputs equal those of an uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, TranslatorError
from ..files import write_atomically
from . import corpus, plan
from .manifest import FOLDER, Manifest, Record, sha256_of
from .progress import BatchProgress
from .work import Outcome, Settings, Task, own_format, read_input, shard_bytes

if TYPE_CHECKING:
    from ..engine import Translator

PARTS = "parts"  # OUT/.translator-batch/parts/CORPUS/N.jsonl: finished shards of a corpus


@dataclass(slots=True)
class Summary:
    """What a batch did: outputs made, skipped (finished before), failed (with why)."""

    out: Path
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (input, why)
    sentences: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        rate = f" ({self.sentences / self.seconds:,.1f} sentences/s)" if self.seconds else ""
        head = (
            f"{len(self.done)} done, {len(self.skipped)} skipped (done before), "
            f"{len(self.failed)} failed; {self.sentences:,} sentences in "
            f"{self.seconds:,.1f} s{rate} → {self.out}"
        )
        return [head, *(f"failed: {name}: {why}" for name, why in self.failed)]


@dataclass(slots=True)
class _Corpus:
    """A corpus being translated shard by shard."""

    item: plan.Item
    sha256: str
    signature: str
    shards: int
    pending: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    sentences: int = 0


def translate_many(
    inputs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    format: str | None = None,
    text_column: str = "text",
    english_column: str = "english",
    details: bool = False,
    shard_rows: int = corpus.SHARD_ROWS,
    model: str | os.PathLike[str] | None = None,
    device: str = "auto",
    backend: str = "auto",
    beam: int | None = None,
    cache: bool = True,
    workers: int | None = None,
    threads: int | None = None,
    ray: str | None = None,
    progress: bool = False,
    translator_factory: Callable[[Settings], Translator] | None = None,
) -> Summary:
    """Translate files, folders and corpora into ``out``, resumably; see ``translator batch``.

    ``inputs``: files, folders (walked recursively; ``include``/``exclude`` globs) and corpora
    (``.jsonl``, ``.csv``, ``.tsv``, ``.parquet``: ``text_column`` translated into
    ``english_column``, every other column kept; ``details`` adds each row's words, links and
    scores as JSON). Documents are written in their own format or ``format``, mirroring each
    folder's tree. ``workers``: translators on this machine (None: one per core on the CPU);
    ``threads``: cores each computes on. ``ray``: ``"auto"`` or a cluster's address to run on
    Ray instead. ``translator_factory(settings)`` builds each worker's Translator (a
    module-level function, for other engines). Returns the summary; a file that fails is in
    ``failed``, never an exception.
    """
    started = time.perf_counter()
    target = Path(out)
    names = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    if not names:
        raise InputError("name at least one file or folder to translate")
    for name, value in (("shard_rows", shard_rows), ("workers", workers), ("threads", threads)):
        if value is not None and (isinstance(value, bool) or value < 1):
            raise InputError(f"{name} must be a positive whole number, not {value!r}")
    plan.check_out(target)
    items = plan.find(names, target.resolve(), include=include, exclude=exclude, format=format)
    settings = Settings(
        model=None if model is None else os.fspath(model),
        device=device,
        backend=backend,
        beam=beam,
        cache=cache,
        threads=threads,
        factory=translator_factory,
    )
    summary = Summary(target)
    with Manifest(target) as manifest:
        for stale in plan.stale_parts(target):
            stale.unlink(missing_ok=True)
        # workers start loading the model while the inputs are hashed
        with _executor(settings, workers, ray, len(items)) as executor:
            hashes = _hash_inputs(items, summary)
            runnable = [i for i in items if i.key in hashes]
            signature = executor.signature() if runnable else ""
            batch = _Batch(
                target,
                manifest,
                summary,
                signature,
                corpus_options(text_column, english_column, details, shard_rows),
            )
            tasks = batch.plan(runnable, hashes)
            bar = BatchProgress({t.key: t.size for t in tasks}, enabled=progress)
            try:
                for outcome in executor.run(tasks, bar):
                    bar.finished(outcome.key, outcome.sentences)
                    batch.take(outcome)
            finally:
                bar.close()
            batch.finish_corpora()
        manifest.finish()
    summary.seconds = time.perf_counter() - started
    return summary


def corpus_options(text: str, english: str, details: bool, rows: int) -> dict[str, Any]:
    return {"text": text, "english": english, "details": details, "rows": rows}


def _hash_inputs(items: list[plan.Item], summary: Summary) -> dict[str, tuple[str, int]]:
    """Each usable item's input SHA-256 (what decides whether it changed) and size; the rest
    fail."""
    hashes = {}
    for item in items:
        if item.error is None:
            try:
                data = read_input(item.path)
                hashes[item.key] = (sha256_of(data), len(data))
                continue
            except TranslatorError as error:
                item.error = str(error)
        summary.failed.append((item.input, item.error or "unreadable"))
    return hashes


def _executor(settings: Settings, workers: int | None, ray: str | None, items: int) -> Any:
    if ray is not None:
        from .cluster import RayExecutor

        return RayExecutor(settings, ray, workers=workers)
    from .local import InProcess, ProcessPool

    count = workers if workers is not None else auto_workers(settings.device)
    count = max(1, min(count, items))
    if count == 1:
        return InProcess(settings)
    if settings.threads is None:
        from ..backends.base import usable_cores

        settings = _with_threads(settings, max(1, usable_cores() // count))
    return ProcessPool(settings, count)


def auto_workers(device: str) -> int:
    """Workers here: one per core on the CPU (measured: docs/scaling.md), one on a GPU."""
    if device not in ("auto", "cpu"):
        return 1
    from ..backends.base import usable_cores

    if device == "auto" and _has_cuda():
        return 1
    return usable_cores()


def _has_cuda() -> bool:
    """Whether ``device=auto`` will pick a GPU (CUDA_VISIBLE_DEVICES and an NVIDIA device node)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return False
    return Path("/dev/nvidia0").exists()


def _with_threads(settings: Settings, threads: int) -> Settings:
    from dataclasses import replace

    return replace(settings, threads=threads)


class _Batch:
    """The driver's side: which tasks to run, and what to do with each outcome."""

    def __init__(
        self,
        out: Path,
        manifest: Manifest,
        summary: Summary,
        signature: str,
        options: dict[str, Any],
    ) -> None:
        self.out = out
        self.manifest = manifest
        self.summary = summary
        self.signature = signature
        self.options = options
        self.items: dict[str, plan.Item] = {}  # task key → its item
        self.signatures: dict[str, str] = {}  # task key → the signature it is recorded under
        self.corpora: dict[str, _Corpus] = {}  # item key → corpus in progress
        self.shard_of: dict[str, str] = {}  # shard key → corpus item key

    def file_signature(self, item: plan.Item) -> str:
        name = item.format or own_format(_reader(item))
        return f"{self.signature}|batch-format:{name}"

    def corpus_signature(self) -> str:
        o = self.options
        return (
            f"{self.signature}|batch-corpus:text={o['text']},english={o['english']},"
            f"details={int(o['details'])},rows={o['rows']}"
        )

    def plan(self, items: list[plan.Item], hashes: dict[str, tuple[str, int]]) -> list[Task]:
        tasks: list[Task] = []
        for item in items:
            sha, size = hashes[item.key]
            if item.kind == "file":
                signature = self.file_signature(item)
                if self.manifest.finished(item.key, sha, signature, self.out / item.key):
                    self.summary.skipped.append(item.input)
                    continue
                self.items[item.key] = item
                self.signatures[item.key] = signature
                tasks.append(Task(item.key, "file", item.input, str(item.path), item.format,
                                  size=size))  # fmt: skip
            else:
                tasks += self._plan_corpus(item, sha)
        return tasks

    def _plan_corpus(self, item: plan.Item, sha: str) -> list[Task]:
        signature = self.corpus_signature()
        if self.manifest.finished(item.key, sha, signature, self.out / item.key):
            self.summary.skipped.append(item.input)
            return []
        o = self.options
        try:
            table = corpus.read_table(item.path.name, read_input(item.path), o["text"],
                                      o["english"])  # fmt: skip
        except TranslatorError as error:
            self.summary.failed.append((item.input, str(error)))
            return []
        texts = table.texts(o["text"])
        ranges = corpus.shards(texts, o["rows"])
        state = _Corpus(item, sha, signature, len(ranges))
        self.corpora[item.key] = state
        tasks = []
        for number, (start, end) in enumerate(ranges):
            key = f"{item.key}#{number}"
            rows = tuple(texts[start:end])
            if self.manifest.finished(key, sha256_of(shard_bytes(rows)), signature,
                                      self._part(item.key, number)):  # fmt: skip
                continue
            state.pending.add(key)
            self.shard_of[key] = item.key
            self.signatures[key] = signature
            size = sum(len(t or "") for t in rows)
            tasks.append(Task(key, "shard", f"{item.input} rows {start + 1}–{end}",
                              texts=rows, details=o["details"], size=size))  # fmt: skip
        return tasks

    def _part(self, corpus_key: str, number: int) -> Path:
        return self.out / FOLDER / PARTS / corpus_key / f"{number}.jsonl"

    def take(self, outcome: Outcome) -> None:
        """Write a finished task's output and record it; a failure goes to the summary."""
        key = outcome.key
        self.summary.sentences += outcome.sentences if outcome.error is None else 0
        if key in self.shard_of:
            state = self.corpora[self.shard_of[key]]
            state.pending.discard(key)
            if outcome.error is not None:
                state.errors.append(outcome.error)
            else:
                number = int(key.rpartition("#")[2])
                self._write(outcome, self._part(state.item.key, number), state.item.input)
                state.sentences += outcome.sentences
            if not state.pending:
                self._finish_corpus(state)
            return
        item = self.items[key]
        if outcome.error is not None:
            self.summary.failed.append((item.input, outcome.error))
            return
        try:
            self._write(outcome, self.out / key, item.input)
        except TranslatorError as error:
            self.summary.failed.append((item.input, str(error)))
            return
        self.summary.done.append(item.input)

    def _write(self, outcome: Outcome, path: Path, input: str) -> None:
        assert outcome.data is not None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(f"can't create {path.parent}: {error.strerror}") from error
        write_atomically(path, outcome.data)
        self.manifest.add(
            Record(
                key=outcome.key,
                input=input,
                input_sha256=outcome.input_sha256,
                signature=self.signatures[outcome.key],
                output_sha256=sha256_of(outcome.data),
                sentences=outcome.sentences,
                seconds=round(outcome.seconds, 3),
            )
        )

    def finish_corpora(self) -> None:
        """Corpora whose shards were all finished before (a run stopped before assembling)."""
        for state in list(self.corpora.values()):
            if not state.pending:
                self._finish_corpus(state)

    def _finish_corpus(self, state: _Corpus) -> None:
        """All shards done: the corpus with its English column, written and recorded."""
        if self.corpora.pop(state.item.key, None) is None:
            return
        item = state.item
        if state.errors:
            why = state.errors[0]
            more = f" (and {len(state.errors) - 1} more shards)" if len(state.errors) > 1 else ""
            self.summary.failed.append((item.input, f"{why}{more}"))
            return
        o = self.options
        try:
            data = read_input(item.path)
            if sha256_of(data) != state.sha256:
                raise InputError("it changed while it was translated: run the batch again")
            table = corpus.read_table(item.path.name, data, o["text"], o["english"])
            rows: list[Any] = []
            for number in range(state.shards):
                rows += corpus.part_rows(self._part(item.key, number).read_bytes())
            output = corpus.write_table(table, rows, o["english"], o["details"])
        except (TranslatorError, OSError, ValueError) as error:
            self.summary.failed.append((item.input, str(error)))
            return
        outcome = Outcome(item.key, output, state.sha256, state.sentences)
        self.signatures[item.key] = state.signature
        try:
            self._write(outcome, self.out / item.key, item.input)
        except TranslatorError as error:
            self.summary.failed.append((item.input, str(error)))
            return
        self.manifest.forget([f"{item.key}#{n}" for n in range(state.shards)])
        shutil.rmtree(self.out / FOLDER / PARTS / item.key, ignore_errors=True)
        self.summary.done.append(item.input)


def _reader(item: plan.Item) -> str:
    from .. import formats

    return formats.reader_for(item.path.name).name
