"""Driving a translation for the reader page: streaming partial Documents, a shared result cache,
and replacing a sentence by one of its alternatives. No Streamlit here, so it tests on its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any

from ..document import Document
from ..errors import TranslatorError

if TYPE_CHECKING:
    from ..engine import Translator

Progress = Callable[[int, int], None]

MAX_ALTERNATIVES = 3
DEFAULT_BEAM = 4  # the page's beam until the sidebar says otherwise (opus-mt's own default)


def alternatives_for(beam: int) -> int:
    """How many n-best alternatives a beam of this size can give besides its best (at most 3)."""
    return max(0, min(MAX_ALTERNATIVES, beam - 1))


def translate_stream(
    translator: Translator,
    text: str,
    *,
    beam: int | None = None,
    alternatives: int = 0,
    progress: Progress | None = None,
) -> Iterator[Document]:
    """Partial Documents as paragraphs are finished, document order; the last one is complete."""
    options: dict[str, Any] = {"beam": beam, "progress": progress}
    if alternatives:
        options["alternatives"] = alternatives
    yield from translator.stream(text, **options)


def replace_sentence(
    translator: Translator, document: Document, sentence_index: int, english: str
) -> Document:
    """``document`` with one sentence's English replaced (an alternative the reader chose)."""
    replace = getattr(translator, "replace_translation", None)
    if replace is None:
        raise TranslatorError("this version of the engine can't replace a sentence's translation")
    count = sum(len(p.sentences) for p in document.paragraphs)
    if not 0 <= sentence_index < count:
        raise TranslatorError(f"there is no sentence {sentence_index} to replace")
    return replace(document, sentence_index, english)


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
