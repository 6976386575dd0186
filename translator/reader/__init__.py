"""The bilingual reader: German and English side by side, linked sentence by sentence, word by word.

``payload`` turns a Document into the reader's JSON, ``standalone`` writes a self-contained HTML
file, ``component`` registers the Streamlit component (importing it imports Streamlit), ``session``
drives a translation for the page. The JavaScript and CSS are files in this package.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def reader_js() -> str:
    """The reader's JavaScript: an ES module whose default export draws a payload."""
    return resources.files(__package__).joinpath("reader.js").read_text("utf-8")


@cache
def reader_css() -> str:
    """The reader's style sheet (every class prefixed ``bi-``)."""
    return resources.files(__package__).joinpath("reader.css").read_text("utf-8")
