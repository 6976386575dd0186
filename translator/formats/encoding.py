"""Bytes → text: files that say nothing of their encoding (UTF-8, UTF-16, Windows-1252), and pages.

The readers ask here, and nowhere else, what text a file's bytes hold. Two rules, each in a module
of its own:

* ``encoding_text``: files that say nothing of their encoding (``decode``). A byte-order mark
  decides; else valid UTF-8 is UTF-8; else Windows-1252 (Latin-1 for its five undefined bytes); a
  UTF-8 file with a few stray legacy bytes keeps its UTF-8; binary data is refused.
* ``encoding_web``: web pages, decoded as a browser decodes them (``decode_web``, ``WebText``),
  with the HTML standard's ``<meta>`` prescan in ``encoding_prescan`` and WHATWG labels only, so
  that bytes are never read in an encoding no browser would use (UTF-7, ``unicode_escape``).
"""

from __future__ import annotations

from .encoding_prescan import PRESCAN_BYTES, encoding_name, prescan
from .encoding_text import check_text, decode
from .encoding_web import ASCII_SAFE, KEPT, SINGLE_BYTE, WebText, decode_web

__all__ = [
    "ASCII_SAFE",
    "KEPT",
    "PRESCAN_BYTES",
    "SINGLE_BYTE",
    "WebText",
    "check_text",
    "decode",
    "decode_web",
    "encoding_name",
    "prescan",
]
