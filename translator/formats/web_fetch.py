"""Fetching a URL: the program's only network access, bounded, with one-line messages.

httpx with timeouts, a redirect limit, a deadline for the whole download and a size limit on the
decoded body; every way a fetch fails (no such host, a timeout, too many redirects, a login wall,
any 4xx/5xx, too large) is an ``InputError`` of one line that names the URL. A shared page fetches
only public addresses (``public_only``: every request, each redirect's too, is checked against
``addresses`` before it is sent, and the address connected to after). The tests point it at a
local server.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import InputError
from ..version import __version__

MAX_FETCH_BYTES = 64 * 2**20  # anything fetched: a PDF or an e-book by URL may be larger
TIMEOUT = 20.0  # seconds to connect, and between two reads
DEADLINE = 120.0  # seconds for the whole download
MAX_REDIRECTS = 5

_URL = re.compile(r"\Ahttps?://", re.I)


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
                raise too_big(url, max_bytes)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise too_big(url, max_bytes)
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


def too_big(url: str, limit: int) -> InputError:
    return InputError(
        f"{url} is larger than {limit // 2**20} MB: that is no article page; download the file "
        f"and translate it in parts"
    )


def _reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text.splitlines()[-1])
    return text[:200]
