"""A standalone bilingual HTML page: German and English side by side, hover highlighting.

The page is the reader's own export (``translator.reader.standalone``): one file, its script and
styles inline, nothing fetched from the network. Imported only when asked for.
"""

from __future__ import annotations

from dataclasses import replace

from ..document import Document
from ..errors import InputError
from ..surrogates import replace_surrogates
from .base import Source, metadata_of


def write(document: Document, source: Source | None = None) -> bytes:
    try:
        from ..reader.standalone import render_standalone_html
    except ImportError as error:
        raise InputError(
            "the bilingual HTML page isn't available in this installation "
            "(translator.reader.standalone is missing)"
        ) from error
    document = replace(document, metadata=metadata_of(document, source))  # title, source URL
    # a lone surrogate in the source (API text only) as U+FFFD: the file is UTF-8
    return replace_surrogates(render_standalone_html(document)).encode("utf-8")
