"""The whole Document as JSON (schema in README): both texts, spans, alignments, scores."""

from __future__ import annotations

from dataclasses import replace

from ..document import Document
from .base import Source, metadata_of


def write(document: Document, source: Source | None = None) -> bytes:
    """The Document's JSON, with where the text came from (``metadata``) filled in."""
    document = replace(document, metadata=metadata_of(document, source))
    return (document.to_json(indent=2) + "\n").encode("utf-8")
