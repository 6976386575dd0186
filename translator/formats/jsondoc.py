"""The whole Document as JSON (schema in README): both texts, spans, alignments, scores.

UTF-8; a lone surrogate in the source (possible only in a str given to the API) is written as
U+FFFD, so the file is valid and its offsets hold (see ``translator.surrogates``).
"""

from __future__ import annotations

from dataclasses import replace

from ..document import Document
from ..surrogates import replace_surrogates
from .base import Source, metadata_of


def write(document: Document, source: Source | None = None) -> bytes:
    """The Document's JSON, with where the text came from (``metadata``) filled in; a lone
    surrogate in the source (API text only) as U+FFFD."""
    document = replace(document, metadata=metadata_of(document, source))
    return replace_surrogates(document.to_json(indent=2) + "\n").encode("utf-8")
