"""One browser tab's reading: what it asks for, the job making it, the rows it is sent."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from ..document import Document
from ..errors import TranslatorError
from ..reader.view import ReaderView
from .jobs import CANCELLED, DONE, FAILED, RESULTS, Job, Loader, ResultCache, Status
from .options import Settings
from .submission import (
    Submission,
    cache_key,
    german_paragraphs,
    replace_sentence,
    sentence_row,
)

if TYPE_CHECKING:
    from ..engine import Translator


def _load_translator(model: str) -> Translator:
    from ..api import get_translator

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
