"""What one browser tab shows, row by row, and which rows it still has to be sent.

Each row carries the number of the change that last touched it. The browser reports the last
change it drew (``have``), so every redraw sends only the rows changed since then: a
2,000-paragraph document costs a few rows per redraw, not the whole document, and a redraw the
browser skipped is made up by the next one. A tab that has nothing (a new tab, a reload) gets
everything.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from ..document import Document, Span
from .payload import build_row, message, waiting_row

_views = itertools.count(1)


class ReaderView:
    """The rows of the document on screen and their change numbers.

    ``show_german`` starts a view of a new text (its German, with a place for each paragraph's
    English); ``follow`` starts a new generation of translations of the same text (a new beam:
    the rows keep the previous English, dimmed, until theirs arrive); ``sync`` takes a growing
    Document's new rows; ``replace`` rebuilds given rows (a chosen alternative).
    """

    def __init__(self) -> None:
        self.view = ""
        self.seq = 0
        self.rows: list[dict[str, Any]] = []
        self.versions: list[int] = []
        self.generation = 0
        self.key: Any = None
        self.synced = 0  # leading rows that are final for this generation
        self.complete = False
        self.state: dict[str, Any] = {}
        self._source = ""
        self._german: list[Span] = []

    # -- what is shown ----------------------------------------------------------------------

    def show_german(self, source: str, paragraphs: Sequence[Span]) -> None:
        """A new text: its German paragraphs, each waiting for its English."""
        self.view = f"v{next(_views)}"
        self._source = source
        self._german = list(paragraphs)
        self.rows, self.versions = [], []
        self.key = None
        self.synced = 0
        self.complete = False
        for span in self._german:
            self._put(len(self.rows), waiting_row(span.of(source)))

    def follow(self, key: Any) -> bool:
        """Show the translation made under ``key`` from now on; True if that is a change."""
        if key == self.key:
            return False
        self.key = key
        self.generation += 1
        self.synced = 0
        self.complete = False
        return True

    def sync(
        self,
        document: Document,
        *,
        final: bool,
        replaced: Mapping[int, str] | None = None,
    ) -> None:
        """Take the rows of ``document`` that are new or still growing since the last sync.

        Rows already final for this generation are not rebuilt, so a growing document costs
        its new rows only. ``final``: ``document`` is complete (rows past its end are dropped).
        """
        paragraphs = document.paragraphs
        first = sum(len(p.sentences) for p in paragraphs[: self.synced])
        for index in range(self.synced, len(paragraphs)):
            paragraph = paragraphs[index]
            waiting = ""
            if not final and index < len(self._german):
                german = self._german[index]
                if paragraph.source.start == german.start and paragraph.source.end < german.end:
                    waiting = self._source[paragraph.source.end : german.end]
            row = build_row(
                document,
                paragraph,
                first,
                generation=self.generation,
                waiting=waiting,
                replaced=replaced,
            )
            self._put(index, row)
            first += len(paragraph.sentences)
        if final:
            del self.rows[len(paragraphs) :]
            del self.versions[len(paragraphs) :]
            self.synced = len(paragraphs)
            self.complete = True
        elif paragraphs:
            last = paragraphs[-1]
            known = len(paragraphs) - 1 < len(self._german)
            closed = known and last.source.end >= self._german[len(paragraphs) - 1].end
            self.synced = len(paragraphs) if closed else len(paragraphs) - 1

    def replace(
        self, document: Document, indices: Sequence[int], replaced: Mapping[int, str]
    ) -> None:
        """Rebuild the rows ``indices`` of a complete ``document`` (an alternative was chosen)."""
        starts = list(
            itertools.accumulate((len(p.sentences) for p in document.paragraphs), initial=0)
        )
        for index in indices:
            row = build_row(
                document,
                document.paragraphs[index],
                starts[index],
                generation=self.generation,
                replaced=replaced,
            )
            self._put(index, row)

    # -- what is sent ---------------------------------------------------------------------------

    def message(self, have: Any, state: Mapping[str, Any]) -> dict[str, Any]:
        """The rows the browser lacks, given what it says it ``have``s (``{"view", "seq"}``)."""
        seq = have.get("seq") if isinstance(have, Mapping) else None
        full = (
            not isinstance(seq, int)
            or isinstance(seq, bool)
            or have.get("view") != self.view
            or not 0 <= seq <= self.seq
        )
        base = None if full else seq
        rows = [
            [i, row]
            for i, (row, version) in enumerate(zip(self.rows, self.versions, strict=True))
            if base is None or version > base
        ]
        return message(
            view=self.view,
            seq=self.seq,
            base=base,
            total=len(self.rows),
            rows=rows,
            state={"g": self.generation, "complete": self.complete, **state},
        )

    def _put(self, index: int, row: dict[str, Any]) -> None:
        if index < len(self.rows):
            if self.rows[index] == row:
                return
            self.seq += 1
            self.rows[index] = row
            self.versions[index] = self.seq
            return
        while len(self.rows) < index:  # a row the German did not foresee: never a gap
            self.seq += 1
            self.rows.append(waiting_row(""))
            self.versions.append(self.seq)
        self.seq += 1
        self.rows.append(row)
        self.versions.append(self.seq)
