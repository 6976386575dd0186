"""The reader page's driver: what is submitted, the translation running beside the page, what the
browser is sent, and the files offered. No Streamlit here, so all of it tests on its own.

The page (``app.py``) holds one ``Reading`` per browser tab. ``Reading.want`` says what should be
shown (a text and settings): a finished translation comes from the shared results, anything else
starts a ``Job`` that translates in a thread of its own while the page keeps answering. The page
redraws every ``redraw_seconds()``: ``Reading.step`` takes what the job has finished, and
``Reading.message`` gives the browser the rows it does not have yet (``translator.reader.view``).
Nothing here draws; ``translator.reader`` does.

Layering: this module sits above ``formats`` and the engine and below the page; ``reader`` only
draws and imports neither.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import config, formats
from .document import Document, Span
from .errors import DEFAULT_MODEL, InputError, ModelLoadError, TranslatorError
from .formats import Source
from .reader.view import ReaderView
from .segment import segment

if TYPE_CHECKING:
    from .engine import Translator

LOG = logging.getLogger("translator.page")

MODEL_ENV = "TRANSLATOR_MODEL"
REDRAW_ENV = "TRANSLATOR_REDRAW_SECONDS"
REDRAW_SECONDS = 0.25  # while translating, the browser asks for a redraw this soon…
SHORTEST_REDRAW = 0.05  # …never sooner (a redraw interval of 0); the browser waits longer
# while nothing changes (up to 2 s, reader.js)
FALLBACK_REDRAW_SECONDS = 2.0  # the page's own timer, should the browser not ask
MAX_ALTERNATIVES = 3
DEFAULT_BEAM = 4  # the page's beam until the sidebar says otherwise (opus-mt's own default)


def default_model() -> str:
    """The model the page loads unless told otherwise: ``$TRANSLATOR_MODEL``, else opus-mt."""
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


def model_fixed() -> bool:
    """Whether the server fixes the model (``$TRANSLATOR_PAGE_MODEL_FIXED``): a shared page's
    visitors then can't make it load other models or local paths."""
    return config.switch(config.PAGE_MODEL_FIXED, default=False)


def chosen_model(asked: str | None) -> str:
    """The model to load: the one the sidebar names, unless the server fixes it or none is named."""
    if model_fixed() or asked is None or not asked.strip():
        return default_model()
    return asked.strip()


def private_urls_allowed() -> bool:
    """Whether the page fetches local and private addresses (``$TRANSLATOR_PAGE_PRIVATE_URLS``);
    off by default, so a shared page can't be made to reach into the server's own network."""
    return config.switch(config.PAGE_PRIVATE_URLS, default=False)


def plain_markdown(text: str) -> str:
    """``text`` for Streamlit's Markdown (``st.error``, ``st.caption``) shown as the characters it
    is: a file name or an address makes no bold, link, colour (``:red[…]``), icon, emoji, math or
    HTML. It is one code span (the page's CSS draws it as the text around it): backslash escapes
    would not do, as Streamlit links ``x@y.z`` and ``https://…`` in a message's text after the
    escapes are read. Line breaks become spaces (a message is one line)."""
    text = " ".join(text.split())
    if not text:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"  # CommonMark takes one space off each end


_BACKTICKS = re.compile(r"`+")


def redraw_seconds() -> float:
    """How soon the page redraws while translating (``$TRANSLATOR_REDRAW_SECONDS``; 0: as
    soon as it can, after ``SHORTEST_REDRAW``)."""
    raw = os.environ.get(REDRAW_ENV, "").strip()
    try:
        seconds = float(raw) if raw else REDRAW_SECONDS
    except ValueError:
        LOG.warning("%s=%r is not a number of seconds; using %s", REDRAW_ENV, raw, REDRAW_SECONDS)
        seconds = REDRAW_SECONDS
    return max(seconds, SHORTEST_REDRAW)


def alternatives_for(beam: int) -> int:
    """How many n-best alternatives a beam of this size can give besides its best (at most 3)."""
    return max(0, min(MAX_ALTERNATIVES, beam - 1))


@dataclass(frozen=True)
class Settings:
    """What decides the English besides the text: the model and the beam."""

    model: str
    beam: int

    @property
    def alternatives(self) -> int:
        return alternatives_for(self.beam)

    def describe(self) -> str:
        return "fast mode (greedy)" if self.beam == 1 else f"beam {self.beam}"


# -- what is translated: an uploaded file or typed text ----------------------------------------

# One extension per readable format, for the upload's label: .txt, .md, .html, .docx, .srt
READABLE_KINDS: tuple[str, ...] = tuple({f.extension: f for f in formats.readers.values()})


@dataclass(frozen=True, eq=False)
class Submission:
    """What the page translates: the Source, and what identifies it for the result cache.

    ``origin`` is ``("file", name, sha256 of its bytes)`` for an upload (the same text read from
    a .docx and from a .txt gives different Documents and different files), ``("url", address,
    sha256 of its text)`` for a web article, ``("text", sha256)`` for typed text.
    """

    source: Source
    origin: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def units(self) -> list[Span] | None:
        return self.source.units

    @property
    def url(self) -> str | None:
        """The address a web article was read from (as asked for, before redirects)."""
        return self.origin[1] if self.origin[0] == "url" else None


def submitted_file(name: str, data: bytes) -> Submission:
    """An uploaded file, read by its extension (``InputError`` with a one-line message if not)."""
    source = formats.read_bytes(name, data)
    if not source.text.strip():
        raise InputError(f"{source.name} has no text to translate")
    return Submission(source, ("file", source.name, hashlib.sha256(data).hexdigest()))


def submitted_url(url: str) -> Submission:
    """The article at ``url``, read as the command reads one (Markdown with its URL and title
    in ``metadata``); ``InputError`` with a one-line message if it can't be fetched or read.
    Local and private addresses are refused unless ``private_urls_allowed()``."""
    address = url.strip()
    if not formats.is_url(address):
        raise InputError(f"{address} is not a web address: give one that starts with https://")
    source = formats.read_url(address, public_only=not private_urls_allowed())
    if not source.text.strip():
        raise InputError(f"{address} has no text to translate")
    digest = hashlib.sha256(source.text.encode("utf-8", "surrogatepass")).hexdigest()
    return Submission(source, ("url", address, digest))


def submitted_text(text: str, name: str = "translation.txt") -> Submission:
    """Typed or pasted text; ``name`` only names the downloads (``translation.en.txt``, …)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Submission(formats.text_source(text, name), ("text", digest))


def too_big(name: str, size: int, limit_mb: int) -> str | None:
    """Why an input of ``size`` bytes is over the page's limit of ``limit_mb`` MB, or None."""
    if size <= limit_mb * 2**20:
        return None
    return (
        f"{name} is {size / 2**20:.1f} MB; the page takes up to {limit_mb} MB. Split it, or "
        f"translate it with the command line: translator FILE -o FILE.en.txt"
    )


def cache_key(submission: Submission, model: str, beam: int, alternatives: int) -> tuple:
    """The result cache's key: what was submitted and every setting that changes the Document."""
    return (*submission.origin, model, beam, alternatives)


def german_paragraphs(submission: Submission) -> list[Span]:
    """The paragraphs the translation will have, found before translating (to show at once).

    The engine's own rule: a file's units, trimmed, blank ones dropped; typed text by the
    segmenter's paragraphs.
    """
    text = submission.text
    if submission.units is None:
        return [paragraph for paragraph, sentences in segment(text) if sentences]
    found = []
    for unit in submission.units:
        inner = [s for _, block in segment(unit.of(text)) for s in block]
        if inner:
            found.append(Span(unit.start + inner[0].start, unit.start + inner[-1].end))
    return found


def sentence_row(document: Document, sentence: int) -> int:
    """The row (paragraph) of ``document`` that holds sentence number ``sentence``."""
    seen = 0
    for index, paragraph in enumerate(document.paragraphs):
        seen += len(paragraph.sentences)
        if sentence < seen:
            return index
    raise TranslatorError(f"there is no sentence {sentence}")


def replace_sentence(
    translator: Translator, document: Document, sentence_index: int, english: str
) -> Document:
    """``document`` with one sentence's English replaced (an alternative the reader chose)."""
    count = sum(len(p.sentences) for p in document.paragraphs)
    if not 0 <= sentence_index < count:
        raise TranslatorError(f"there is no sentence {sentence_index} to replace")
    return translator.replace_translation(document, sentence_index, english)


# -- downloads ----------------------------------------------------------------------------------

# The page's order: the file as it came (or the English text), then the other kinds of output.
DOWNLOAD_ORDER = ("bilingual-html", "tmx", "xliff", "json", "txt")
# Short labels, so six buttons fit one row; the longer word is each button's tooltip.
DOWNLOAD_LABELS = {
    "bilingual-html": "Bilingual .html",
    "tmx": "TMX",
    "xliff": "XLIFF",
    "json": "JSON",
}
DOWNLOAD_HELP = {
    "txt": "The English text alone (UTF-8)",
    "bilingual-html": "One HTML file for any browser: German and English side by side, linked "
    "word by word on hover; it needs no network",
    "tmx": "Translation memory (TMX 1.4b): the sentence pairs, for translation tools",
    "xliff": "XLIFF 2.1: the German with the English as targets, for translation tools",
    "json": "The whole Document: sentences, word alignments and scores",
}


@dataclass(frozen=True)
class Download:
    """One file the page offers: what ``st.download_button`` needs; the bytes are made when
    asked for (a long document's six files would otherwise be made on every change)."""

    format: str
    label: str
    help: str
    file_name: str
    mime: str
    source: Source

    def data(self, document: Document) -> bytes:
        return formats.write_bytes(document, self.source, self.format)


def _label(fmt: formats.Format) -> str:
    if fmt.same_format or fmt.name == "txt":
        return f"English {fmt.extension}"
    return DOWNLOAD_LABELS.get(fmt.name, fmt.label)


def _help(fmt: formats.Format) -> str:
    if fmt.same_format:
        return f"The same {fmt.label} with its text in English"
    return DOWNLOAD_HELP.get(fmt.name, fmt.label)


def downloads_for(source: Source) -> list[Download]:
    """Every file a translation of ``source`` can be saved as, in the page's order.

    The same-format file comes first (the English .docx of a .docx); typed text has none, so its
    English .txt leads. Names follow ``formats.output_name``: ``bericht.en.docx``, ``bericht.tmx``.
    """
    position = {name: i + 1 for i, name in enumerate(DOWNLOAD_ORDER)}

    def rank(fmt: formats.Format) -> int:
        if fmt.same_format or (fmt.name == "txt" and source.format == "txt"):
            return 0
        return position.get(fmt.name, len(position) + 1)

    return [
        Download(
            format=fmt.name,
            label=_label(fmt),
            help=_help(fmt),
            file_name=formats.output_name(source.name, fmt.name),
            mime=fmt.mime,
            source=source,
        )
        for fmt in sorted(formats.output_formats(source), key=rank)
    ]


class ResultCache:
    """The last few translated Documents of this server process, keyed by text and settings.

    Shared by every session, so a second visitor to the same article gets it without waiting.
    """

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Document] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Document | None:
        with self._lock:
            document = self._items.get(key)
            if document is not None:
                self._items.move_to_end(key)
            return document

    def put(self, key: Hashable, document: Document) -> None:
        with self._lock:
            self._items[key] = document
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


RESULTS = ResultCache()


# -- a translation beside the page --------------------------------------------------------------

Loader = Callable[[str], "Translator"]

LOADING, TRANSLATING, DONE, FAILED, CANCELLED = (
    "loading",
    "translating",
    "done",
    "failed",
    "cancelled",
)


class _Cancelled(Exception):
    """Raised inside the engine's progress callback to stop a job nobody waits for."""


class Job:
    """One translation in a thread of its own: the page reads its progress and growing Document.

    Errors never escape: a failed job keeps the Document it had and says why in ``error``.
    """

    def __init__(
        self, key: Hashable, submission: Submission, settings: Settings, load: Loader
    ) -> None:
        self.key = key
        self.submission = submission
        self.settings = settings
        self.phase = LOADING
        self.progress: tuple[int, int] = (0, 0)
        self.document: Document | None = None
        self.error: str | None = None
        self._load = load
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="translation", daemon=True)

    def start(self) -> Job:
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job to end; True if it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def finished(self) -> bool:
        return self.phase in (DONE, FAILED, CANCELLED)

    def _report(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise _Cancelled
        self.progress = (done, total)

    def _run(self) -> None:
        settings, submission = self.settings, self.submission
        started = time.monotonic()
        try:
            translator = self._load(settings.model)
            if self._cancel.is_set():
                raise _Cancelled
            LOG.info("model %s ready after %.1f s", settings.model, time.monotonic() - started)
            self.phase = TRANSLATING
            options: dict[str, Any] = {"beam": settings.beam, "progress": self._report}
            if settings.alternatives:
                options["alternatives"] = settings.alternatives
            if submission.units is not None:
                options["paragraphs"] = submission.units
            metadata = submission.source.metadata  # a web article's URL and title, …
            for document in translator.stream(submission.text, **options):
                if metadata:
                    document.metadata = dict(metadata)
                self.document = document
                if self._cancel.is_set():
                    raise _Cancelled
            self.phase = DONE
            LOG.info("translated %r in %.1f s", submission.source.name, time.monotonic() - started)
        except _Cancelled:
            self.phase = CANCELLED
        except ModelLoadError as error:
            self._fail(str(error))
        except TranslatorError as error:
            self._fail(f"The text could not be translated: {error}")
        except Exception as error:  # a bug: one message on the page, the traceback in the log
            LOG.exception("translating %r failed", submission.source.name)
            self._fail(f"The text could not be translated: an unexpected {type(error).__name__}")

    def _fail(self, message: str) -> None:
        self.error = message
        self.phase = FAILED


@dataclass(frozen=True)
class Status:
    """What the page says above the rows."""

    phase: str  # loading, translating, done, failed (or "" with nothing to do)
    progress: tuple[int, int] = (0, 0)
    error: str | None = None
    badge: str | None = None

    @property
    def running(self) -> bool:
        return self.phase in (LOADING, TRANSLATING)


def _load_translator(model: str) -> Translator:
    from .api import get_translator

    return get_translator(model)


class Reading:
    """One browser tab's reading: the text and settings asked for, the translation shown, the
    job making it, and the rows the tab has been sent.

    Two tabs never share one: each has its own job and view; finished translations are shared
    through ``RESULTS``.
    """

    def __init__(self, load: Loader | None = None, results: ResultCache = RESULTS) -> None:
        self.view = ReaderView()
        self.load = load if load is not None else _load_translator
        self.results = results
        self.submission: Submission | None = None
        self.settings: Settings | None = None
        self.key: Hashable | None = None
        self.document: Document | None = None  # complete, for ``key`` (a choice included)
        self.job: Job | None = None
        self.error: str | None = None
        self.replaced: dict[int, str] = {}  # sentence → the English a choice replaced
        self.focus: list[int] | None = None  # [sentence, change number] to give focus back to
        self._previous: Settings | None = None
        self._synced: Document | None = None

    # -- what is asked for ----------------------------------------------------------------------

    def want(self, submission: Submission, settings: Settings, *, again: bool = False) -> None:
        """Show ``submission`` translated under ``settings``; ``again``: retry after a failure."""
        if self.submission is None or submission.origin != self.submission.origin:
            self.view.show_german(submission.text, german_paragraphs(submission))
            self.document = None
            self._previous = None
            self.key = None
        self.submission = submission
        key = cache_key(submission, settings.model, settings.beam, settings.alternatives)
        if key == self.key and not (again and self.error):
            return
        if self.job is not None and self.job.key != key:
            self.job.cancel()
        if self.document is not None:
            self._previous = self.settings
        self.key, self.settings, self.error = key, settings, None
        self.document, self.replaced, self.focus, self._synced = None, {}, None, None
        self.view.follow(key)
        found = self.results.get(key)
        if found is not None:
            self._finish(found)
            return
        if self.job is None or self.job.key != key or self.job.finished:
            self.job = Job(key, submission, settings, self.load).start()

    # -- what the page shows ------------------------------------------------------------------

    def step(self) -> Status:
        """Take what the job has made since the last step into the view; say where things are."""
        job = self.job
        if job is not None and job.key == self.key:
            partial = job.document
            if job.phase == DONE and partial is not None:
                self.results.put(job.key, partial)
                self.job = None
                self._finish(partial)
            else:
                if partial is not None and partial is not self._synced:
                    self.view.sync(partial, final=False)
                    self._synced = partial
                if job.phase == FAILED:
                    self.error = job.error
                    self.job = None
                elif job.phase != CANCELLED:
                    return Status(job.phase, job.progress, badge=self._badge())
        if self.error:
            return Status(FAILED, error=self.error, badge=self._badge())
        return Status(DONE if self.document is not None else "")

    def message(
        self,
        have: Any,
        *,
        downloads: bool = False,
        poll: float | None = None,
        progress: tuple[int, int] | None = None,
    ) -> dict[str, Any]:
        """The rows this tab lacks (it says what it ``have``s) and how to show them.

        ``poll``: while translating, how soon the browser asks for the next redraw; it waits
        longer while nothing changes (no new rows, same ``progress``), so a long wait for the
        model costs few redraws.
        """
        state: dict[str, Any] = {
            "choose": self.document is not None and bool(self.settings.alternatives),
            "downloads": downloads and self.document is not None,
        }
        if poll:
            state["poll"] = poll
            state["progress"] = list(progress or (0, 0))
        badge = self._badge()
        if badge:
            state["badge"] = badge
        if self.focus:
            state["focus"] = self.focus
        return self.view.message(have, state)

    def choose(self, sentence: int, english: str) -> None:
        """Put the chosen alternative in place of a sentence's English (view and downloads).

        One teacher-forced pass of the model aligns it; the row is redrawn with the words that
        changed marked, and the browser gives focus back to the sentence.
        """
        document = self.document
        if document is None or self.settings is None:
            raise TranslatorError("wait until the translation is complete to choose")
        row = sentence_row(document, sentence)
        old = list(document.sentences)[sentence].target.of(document.target)
        updated = replace_sentence(self.load(self.settings.model), document, sentence, english)
        self.document = updated
        self.replaced[sentence] = old
        self.view.replace(updated, [row], self.replaced)
        self.focus = [sentence, self.view.seq]

    def _finish(self, document: Document) -> None:
        self.document = document
        self._previous = None
        self.view.sync(document, final=True, replaced=self.replaced)
        self._synced = document

    def _badge(self) -> str | None:
        """What the dimmed rows are, while a new translation of the same text is on its way."""
        if self._previous is None or self.settings is None or self.document is not None:
            return None
        if self.error:
            return "The dimmed rows are the previous translation."
        new, old = self.settings.describe(), self._previous.describe()
        if self.settings.model != self._previous.model:
            new, old = f"the model {self.settings.model}", f"{self._previous.model}, {old}"
        return (
            f"Translating again with {new}: the dimmed rows are the previous translation "
            f"({old}) until theirs are ready."
        )
