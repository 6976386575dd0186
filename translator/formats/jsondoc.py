"""The whole Document as JSON (schema in README): both texts, spans, alignments, scores.

UTF-8; a lone surrogate in the source (possible only in a str given to the API) is written as
U+FFFD, so the file is valid and its offsets hold (see ``translator.surrogates``).
"""

from __future__ import annotations

from ..document import Document
from ..surrogates import replace_surrogates
from .base import Source


def write(document: Document, source: Source | None = None) -> bytes:
    return replace_surrogates(document.to_json(indent=2) + "\n").encode("utf-8")
