"""Web articles by URL: the page fetched at the edge, its article extracted, read as Markdown.

``fetch`` (``web_fetch``) is the only function that touches the network (httpx: timeouts, a
redirect limit, a size limit on the decoded body, one-line messages for every way a fetch fails);
the tests point it at a local server. ``read_page`` turns a page's bytes into a Source: decoded as
a saved page is (``htmlpage.decode_page``: a byte-order mark, else the HTTP charset, else
``<meta>``, WHATWG labels only, else the text rule); the article (title, byline and date,
headings, paragraphs, lists, quotes, tables; no navigation, ads or comments) is extracted with
trafilatura and written as Markdown (``web_article``), with the source URL, title, author and
date in its front matter, and that Markdown is read by the Markdown reader. So the English comes
out as Markdown with emphasis and links moved with their words, and every other writer (text,
JSON, bilingual HTML, TMX, XLIFF) works as for a .md file; the Source's ``metadata`` carries the
URL and title into each of them.

A URL that serves a PDF, an EPUB or plain text is read by that format's reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from .base import Source
from .web_article import Article, extract
from .web_fetch import (
    DEADLINE,
    MAX_FETCH_BYTES,
    MAX_REDIRECTS,
    TIMEOUT,
    Fetched,
    fetch,
    is_url,
    too_big,
)

__all__ = [
    "DEADLINE",
    "MAX_FETCH_BYTES",
    "MAX_PAGE_BYTES",
    "MAX_REDIRECTS",
    "MIN_ARTICLE_CHARS",
    "TIMEOUT",
    "Article",
    "Fetched",
    "decode_page",
    "extract",
    "fetch",
    "is_url",
    "page_name",
    "read_page",
    "read_url",
]

MAX_PAGE_BYTES = 16 * 2**20  # a web page (decoded)
MIN_ARTICLE_CHARS = 200  # less is a login form, a teaser, a cookie wall or a page built by script

_PASSWORD_FIELD = re.compile(rb"""<input[^>]+type\s*=\s*["']?password""", re.I)


def read_url(
    url: str, read_other: Callable[[str, bytes], Source], **fetch_options: float | int | bool
) -> Source:
    """The article (or PDF, e-book, text) at ``url`` as a Source; network access only here.

    ``read_other(name, data)`` reads what is not a web page (a PDF, an e-book, text) by its name.
    """
    fetched = fetch(url, **fetch_options)  # type: ignore[arg-type]
    name = page_name(fetched.url)
    media = fetched.media_type
    data = fetched.data
    unnamed = media in ("", "application/octet-stream")
    if media == "application/pdf" or (unnamed and data.startswith(b"%PDF-")):
        return _other_kind(fetched, name + ".pdf", read_other)
    if media == "application/epub+zip":
        return _other_kind(fetched, name + ".epub", read_other)
    if media == "text/plain":
        return _other_kind(fetched, name + ".txt", read_other)
    if media and media not in ("text/html", "application/xhtml+xml") and not media.endswith("+xml"):
        raise InputError(
            f"{fetched.url} is not a web page but {media}: give the address of an article, "
            f"or download the file and translate it"
        )
    if len(data) > MAX_PAGE_BYTES:
        raise too_big(fetched.url, MAX_PAGE_BYTES)
    return read_page(data, fetched.url, charset=fetched.charset, name=name + ".md")


def page_name(url: str) -> str:
    """A file-name stem for a page: its last path segment without extension, else its host."""
    parts = urlsplit(url)
    segments = [s for s in unquote(parts.path).split("/") if s]
    stem = segments[-1] if segments else ""
    stem = re.sub(r"\.(html?|php|aspx?|jsp|pdf|epub|txt)$", "", stem, flags=re.I)
    stem = re.sub(r"[^\w.-]+", "-", stem).strip(".-")[:80]
    return stem or re.sub(r"[^\w.-]+", "-", parts.hostname or "page")


def read_page(data: bytes, url: str, *, charset: str | None = None, name: str = "") -> Source:
    """A saved or fetched page's article as a Source (format ``md``), its metadata filled in."""
    from . import markdown

    name = name or page_name(url) + ".md"
    text = decode_page(data, charset, url)
    article = extract(text, url)
    if article is None or len(article.plain) < MIN_ARTICLE_CHARS:
        found = 0 if article is None else len(article.plain)
        if _PASSWORD_FIELD.search(data):
            raise InputError(
                f"{url} shows a login form, not an article: log in with your browser, save the "
                f"page (File → Save Page As) and translate the saved .html"
            )
        raise InputError(
            f"{url} has almost no article text ({found} characters): it may be behind a login, "
            f"paywall or cookie wall, or built by JavaScript; save the page from your browser and "
            f"translate the saved .html"
        )
    source = markdown.read(article.markdown.encode("utf-8"), name)
    source.metadata = article.metadata
    return source


def decode_page(data: bytes, charset: str | None, url: str) -> str:
    """A page's text, decoded as a browser would and as a saved page is (``htmlpage.decode_page``:
    a byte-order mark, else the HTTP charset, else ``<meta charset>``, else UTF-8 / Windows-1252
    by the text rule; WHATWG labels only). Bytes its encoding can't read are shown as a reader
    sees them (``WebText.readable``)."""
    from .htmlpage import decode_page as decode_html

    page, _ = decode_html(data, url, transport=charset)
    return page.readable(page.text)


def _other_kind(fetched: Fetched, name: str, read_other: Callable[[str, bytes], Source]) -> Source:
    source = read_other(name, fetched.data)
    source.metadata = {**source.metadata, "url": fetched.url}
    return source
