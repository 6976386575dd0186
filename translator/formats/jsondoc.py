"""The whole Document as JSON (schema in README): both texts, spans, alignments, scores."""

from __future__ import annotations

from ..document import Document
from .base import Source


def write(document: Document, source: Source | None = None) -> bytes:
    return (document.to_json(indent=2) + "\n").encode("utf-8")
