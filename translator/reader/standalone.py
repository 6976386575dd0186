"""A bilingual HTML file that stands alone: one file, no network, the reader's hover behaviour.

The same JavaScript and CSS as the Streamlit page, inlined (its toolbar, shading switch, copy
buttons, keyboard and phone layout included); the document travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, and the JavaScript
draws it with ``textContent``, so no text of the document is ever parsed as HTML.
"""

from __future__ import annotations

import html
import json
import re

from ..document import Document
from . import reader_css, reader_js
from .payload import build_payload

_EXPORT = re.compile(r"^export default function mount\(", re.MULTILINE)

# Colours the Streamlit theme would give, for a page of its own (light, and dark on request).
_PAGE_CSS = """
:root { color-scheme: light dark; --st-text-color: #1f2330; --st-background-color: #ffffff;
  --st-secondary-background-color: #f0f2f6; --st-primary-color: #d9480f;
  --st-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
@media (prefers-color-scheme: dark) {
  :root { --st-text-color: #e8e9ee; --st-background-color: #0e1117;
    --st-secondary-background-color: #262730; --st-primary-color: #ff8a4c; }
}
html { background: var(--st-background-color); color: var(--st-text-color); }
body { margin: 0 auto; max-width: 84rem; padding: 1.5rem 2rem 4rem; font-family: var(--st-font); }
.bi-page-head { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: baseline;
  margin-bottom: 1.2rem; }
.bi-page-head h1 { font-size: 1.35rem; margin: 0; }
@media (max-width: 700px) { body { padding: 1rem 0.8rem 3rem; } }
"""

_BOOT = """
(function () {
  var data = JSON.parse(document.getElementById("bi-data").textContent);
  var host = document.getElementById("bi-reader");
  mount({ data: data, parentElement: host });
})();
"""


def render_standalone_html(document: Document) -> str:
    """The whole bilingual reader for ``document`` as one HTML file (UTF-8 text)."""
    payload = build_payload(document, alternatives=False)
    title = _title(document)
    script = _EXPORT.sub("function mount(", reader_js(), count=1)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
            f'<meta name="generator" content="{html.escape(document.signature)}">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{_PAGE_CSS}\n{reader_css()}</style>",
            "</head>",
            "<body>",
            '<header class="bi-page-head">',
            f"<h1>{html.escape(title)}</h1>",
            *_source_line(document),
            "</header>",
            '<main id="bi-reader"></main>',
            f'<script type="application/json" id="bi-data">{_json_for_script(payload)}</script>',
            f"<script>{script}\n{_BOOT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _title(document: Document) -> str:
    """The document's own title (a web article's, a book's), else its first words."""
    if document.metadata.get("title"):
        return document.metadata["title"]
    first = document.source.strip().split("\n", 1)[0] if document.source.strip() else ""
    words = first.split()
    short = " ".join(words[:10]) + (" …" if len(words) > 10 else "")
    return short or "Bilingual reader"


def _source_line(document: Document) -> list[str]:
    """A link to where the text came from (http and https addresses only)."""
    url = document.metadata.get("url", "")
    if not url.lower().startswith(("http://", "https://")):
        return []
    href = html.escape(url, quote=True)
    return [f'<a class="bi-source" href="{href}" rel="noopener noreferrer">{html.escape(url)}</a>']


def _json_for_script(payload: object) -> str:
    """JSON that can't end its ``<script>`` element early or open a comment inside it."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
