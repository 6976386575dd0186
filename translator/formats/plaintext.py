"""Plain text (``.txt``): decoded by ``encoding.decode``, paragraphs found by the segmenter."""

from __future__ import annotations

from ..document import Document
from ..surrogates import replace_surrogates
from .base import Source
from .encoding import decode


def read(data: bytes, name: str) -> Source:
    text, encoding = decode(data, name)
    return Source(name=name, format="txt", text=text, units=None, encoding=encoding)


def write(document: Document, source: Source | None = None) -> bytes:
    """The English text, UTF-8 (whatever the input's encoding was; a lone surrogate in a
    hand-made Document as U+FFFD)."""
    return replace_surrogates(document.target).encode("utf-8")
