"""The bilingual reader: German and English side by side, linked sentence by sentence, word by word.

This package only draws. ``payload`` turns a Document's paragraphs into rows, ``view`` keeps the
rows one browser tab shows and sends it only those it lacks, ``standalone`` writes a
self-contained HTML file, ``component`` registers the Streamlit component (importing it imports
Streamlit). The JavaScript and CSS are files in this package. What drives a translation for the
page is ``translator.page``.
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


@cache
def page_css() -> str:
    """Rules for the page around the reader: the downloads on a phone, touch-sized controls."""
    return resources.files(__package__).joinpath("page.css").read_text("utf-8")
