"""Web articles by URL: the page fetched at the edge, its article extracted, read as Markdown.

``fetch`` is the only function here that touches the network (httpx: timeouts, a redirect limit, a
size limit on the decoded body, one-line messages for every way a fetch fails); the tests point it
at a local server. ``read_page`` turns a page's bytes into a Source: decoded as a saved page is
(``htmlpage.decode_page``: a byte-order mark, else the HTTP charset, else ``<meta>``, WHATWG labels
only, else the text rule); the article (title, byline and date, headings, paragraphs, lists, quotes,
tables; no navigation, ads or comments) is extracted with trafilatura and written as Markdown, with
the source URL, title, author and date in its front matter, and that Markdown is read by the
Markdown reader. So the English comes out as Markdown with emphasis and links moved with their
words, and every other writer (text, JSON, bilingual HTML, TMX, XLIFF) works as for a .md file; the
Source's ``metadata`` carries the URL and title into each of them.

A URL that serves a PDF, an EPUB or plain text is read by that format's reader.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from ..version import __version__
from .base import Source

MAX_PAGE_BYTES = 16 * 2**20  # a web page (decoded)
MAX_FETCH_BYTES = 64 * 2**20  # anything fetched: a PDF or an e-book by URL may be larger
TIMEOUT = 20.0  # seconds to connect, and between two reads
DEADLINE = 120.0  # seconds for the whole download
MAX_REDIRECTS = 5
MIN_ARTICLE_CHARS = 200  # less is a login form, a teaser, a cookie wall or a page built by script

_URL = re.compile(r"\Ahttps?://", re.I)
_PASSWORD_FIELD = re.compile(rb"""<input[^>]+type\s*=\s*["']?password""", re.I)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched resource: where it ended up after redirects, its body, its declared type."""

    url: str
    data: bytes
    media_type: str  # "text/html", lower case, without parameters ("" if none was sent)
    charset: str | None


def is_url(text: str | object) -> bool:
    """Whether ``text`` is an http(s) URL (what ``translate()`` and the command fetch)."""
    return isinstance(text, str) and bool(_URL.match(text.strip()))


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_FETCH_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    public_only: bool = False,
) -> Fetched:
    """GET ``url`` (http or https), following at most ``max_redirects`` redirects.

    Every failure is an ``InputError`` of one line that names the URL: unreachable host, timeout,
    too many redirects, a login wall (401/403), any other 4xx/5xx, a body over ``max_bytes``.
    ``public_only`` (a shared page): every request, each redirect's too, goes only to a host whose
    addresses are all public (``addresses``), and the address connected to is checked again.
    """
    import httpx

    url = url.strip()
    _check_url(url)
    hooks: dict[str, list[Callable]] = {}
    if public_only:
        hooks = {"request": [_public_request], "response": [_public_peer]}
    headers = {
        "User-Agent": f"Mozilla/5.0 (compatible; translator/{__version__})",
        "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5",
        "Accept-Language": "de,en;q=0.5",
    }
    started = time.monotonic()
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=max_redirects,
                timeout=httpx.Timeout(timeout),
                headers=headers,
                event_hooks=hooks,
            ) as client,
            client.stream("GET", url) as response,
        ):
            _check_status(url, response.status_code, response.reason_phrase)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_big(url, max_bytes)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _too_big(url, max_bytes)
                if time.monotonic() - started > deadline:
                    raise InputError(
                        f"{url} took more than {deadline:.0f} s to download: try again later, "
                        f"or save the page from your browser and translate the file"
                    )
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
            final = str(response.url)
    except httpx.TooManyRedirects as error:
        raise InputError(
            f"{url} redirects more than {max_redirects} times: open it in a browser and give "
            f"the address it ends at"
        ) from error
    except httpx.TimeoutException as error:
        raise InputError(
            f"{url} did not answer within {timeout:g} s: the server is slow or unreachable; "
            f"try again later"
        ) from error
    except httpx.ConnectError as error:
        host = urlsplit(url).hostname or url
        raise InputError(
            f"can't reach {host}: {_reason(error)}; check the address and the connection"
        ) from error
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
        raise InputError(f"{url} is not a usable web address ({error})") from error
    except httpx.HTTPError as error:
        raise InputError(f"{url} could not be fetched: {_reason(error)}") from error
    media_type, _, parameters = content_type.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        key, _, value = parameter.strip().partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return Fetched(final, b"".join(chunks), media_type.strip().lower(), charset)


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
        raise _too_big(fetched.url, MAX_PAGE_BYTES)
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


# -- the article --------------------------------------------------------------------------------


@dataclass(slots=True)
class Article:
    markdown: str  # front matter, "# title", then the body
    plain: str  # the body's text alone (to tell an article from a login wall)
    metadata: dict[str, str]


def extract(html: str, url: str) -> Article | None:
    """The page's main article (trafilatura), or None when it finds none."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    if not xml:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml.encode("utf-8"), parser)
    main = root.find("main")
    if main is None:
        return None
    metadata = {"url": url}
    for key in ("title", "author", "date", "sitename", "description"):
        value = " ".join((root.get(key) or "").split())
        if value:
            metadata[key] = value
    title = metadata.get("title", "")
    first = main[0] if len(main) else None
    if (
        first is not None
        and first.tag == "head"
        and " ".join(first.itertext()).split() == title.split()
    ):
        main.remove(first)  # the title is written once, as the "# " heading
    blocks = list(_blocks(main, ""))
    plain = " ".join(" ".join(e.itertext()) for e in main)
    front = ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in metadata.items()]
    front.append("---")
    parts = ["\n".join(front)]
    if title:
        parts.append("# " + _escape(title))
    parts.extend(blocks)
    return Article("\n\n".join(parts) + "\n", " ".join(plain.split()), metadata)


_HEAD_LEVEL = re.compile(r"h([1-6])")


def _blocks(element, prefix: str):
    """Markdown blocks for trafilatura's XML (``head``, ``p``, ``list``, ``quote``, ``table``,
    ``code``), each line starting with ``prefix`` (quote markers, list indentation)."""
    for child in element:
        tag = child.tag
        if tag == "head":
            match = _HEAD_LEVEL.fullmatch(child.get("rend") or "")
            level = max(2, int(match.group(1))) if match else 2
            text = _inline(child)
            if text:
                yield prefix + "#" * level + " " + text
        elif tag == "p":
            text = _inline(child)
            if text:
                yield prefix + text
        elif tag == "list":
            ordered = (child.get("rend") or "").lower() == "ol"
            items = []
            for number, item in enumerate(child.findall("item"), 1):
                marker = f"{number}. " if ordered else "- "
                nested = [n for n in item if n.tag in ("list", "p", "quote")]
                text = _inline(item, skip=("list", "p", "quote"))
                lines = [prefix + marker + text] if text else []
                inner = prefix + " " * len(marker)
                lines.extend(_blocks(nested, inner))
                if lines:
                    items.append("\n".join(lines))
            if items:
                yield "\n".join(items)
        elif tag == "quote":
            inner = list(_blocks(child, prefix + "> "))
            text = _inline(child, skip=("p", "list", "head", "quote", "table"))
            if text:
                inner.insert(0, prefix + "> " + text)
            if inner:
                yield f"\n{prefix}>\n".join(inner)
        elif tag == "table":
            table = _table(child, prefix)
            if table:
                yield table
        elif tag == "code":
            code = "".join(child.itertext()).strip("\n")
            if code.strip():
                fence = "~~~~" if "```" in code else "```"
                body = "\n".join(prefix + line for line in code.split("\n"))
                yield f"{prefix}{fence}\n{body}\n{prefix}{fence}"
        else:  # div and the like: their children
            yield from _blocks(child, prefix)


def _table(table, prefix: str) -> str:
    rows = []
    for row in table.iter("row"):
        cells = [_inline(cell, table=True) or " " for cell in row.findall("cell")]
        if cells:
            rows.append(cells)
    if not rows or not any(any(c.strip() for c in r) for r in rows):
        return ""
    width = max(len(r) for r in rows)
    lines = []
    for i, row in enumerate(rows):
        row = row + [" "] * (width - len(row))
        lines.append(prefix + "| " + " | ".join(row) + " |")
        if i == 0:
            lines.append(prefix + "|" + "---|" * width)
    return "\n".join(lines)


_EMPHASIS = {"#b": "**", "#i": "*", "#u": "*", "#t": "`"}


def _inline(element, *, skip: tuple[str, ...] = (), table: bool = False) -> str:
    """An element's text as one line of Markdown: ``hi`` → emphasis, ``ref`` → a link."""
    out: list[str] = []

    def text(chunk: str | None) -> None:
        if chunk:
            out.append(_escape(chunk, line_start=False, table=table))

    def walk(node) -> None:
        text(node.text)
        for child in node:
            if child.tag in skip:
                pass
            elif child.tag == "lb":
                out.append(" ")
            elif child.tag == "hi" and _EMPHASIS.get(child.get("rend") or "") in ("**", "*"):
                inner = _inline(child, table=table).strip()
                if inner:
                    mark = _EMPHASIS[child.get("rend")]
                    out.append(f"{mark}{inner}{mark}")
            elif child.tag == "ref" and is_url(child.get("target") or ""):
                inner = _inline(child, table=table).strip()
                target = (child.get("target") or "").replace(" ", "%20").replace(")", "%29")
                if inner:
                    out.append(f"[{inner}]({target.replace('(', '%28')})")
            elif child.tag in ("list", "p", "quote", "head", "table"):
                out.append(" " + _inline(child, table=table) + " ")
            else:
                walk(child)
            text(child.tail)

    walk(element)
    line = " ".join("".join(out).split())
    return _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), line)


_SPECIAL = re.compile(r"([\\`*_\[\]<>&])")
_LINE_START = re.compile(r"\A(\s*)([#>+=-]|\d+[.)])")


def _escape(text: str, *, line_start: bool = True, table: bool = False) -> str:
    """Plain text as Markdown that reads back as that same text (no markup, no HTML)."""
    escaped = _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))
    if table:
        escaped = escaped.replace("|", "\\|")
    if line_start:
        escaped = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), escaped)
    return escaped


def _escape_marker(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1]


# -- messages -----------------------------------------------------------------------------------


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url} is not a web address: give one that starts with https://")


def _public_request(request) -> None:
    """Before each request (redirects too): the host must resolve to public addresses only."""
    from .addresses import check_public_host

    host = request.url.raw_host.decode("ascii")  # an international name in its IDNA form
    check_public_host(host, request.url.port or _PORTS[request.url.scheme])


def _public_peer(response) -> None:
    """After connecting: the address the connection went to must be public (a name that
    resolved to a public address a moment ago may resolve to a private one now)."""
    from .addresses import is_public_address, refusal

    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer or not is_public_address(peer[0]):
        raise InputError(refusal(response.request.url.host))


_PORTS = {"http": 80, "https": 443}


def _check_status(url: str, status: int, reason: str) -> None:
    if status < 400:
        return
    said = f"HTTP {status}" + (f" {reason}" if reason else "")
    saved = "save the page from your browser (File → Save Page As) and translate the saved .html"
    if status in (401, 407):
        raise InputError(f"{url} asks for a login ({said}): {saved}")
    if status in (402, 403, 451):
        raise InputError(
            f"{url} refuses access ({said}): it may be behind a login or paywall, or refuse "
            f"programs; {saved}"
        )
    if status in (404, 410):
        raise InputError(f"{url} was not found ({said}): check the address")
    if status == 429:
        raise InputError(f"{url} refuses more requests for now ({said}): try again later")
    if status >= 500:
        raise InputError(f"the server of {url} failed ({said}): try again later")
    raise InputError(f"{url} could not be fetched ({said})")


def _too_big(url: str, limit: int) -> InputError:
    return InputError(
        f"{url} is larger than {limit // 2**20} MB: that is no article page; download the file "
        f"and translate it in parts"
    )


def _reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text.splitlines()[-1])
    return text[:200]


def _other_kind(fetched: Fetched, name: str, read_other: Callable[[str, bytes], Source]) -> Source:
    source = read_other(name, fetched.data)
    source.metadata = {**source.metadata, "url": fetched.url}
    return source
