"""A translation running in a thread beside the page, and the finished ones every session shares.

Errors never escape a job: a failed one keeps the Document it had and says why.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..document import Document
from ..errors import ModelLoadError, TranslatorError
from .options import Settings
from .submission import Submission

if TYPE_CHECKING:
    from ..engine import Translator

LOG = logging.getLogger("translator.page")


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
