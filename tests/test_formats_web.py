"""Web articles by URL: fetched from a local server, the article extracted, every output marked
with its source URL and title, and every failure one clear line."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from translator import Translator, translate
from translator.errors import InputError
from translator.formats import read_url, web, write_bytes
from translator.testing import StandInBackend

from .fixtures import pdfs
from .fixtures.cli import run_cli
from .fixtures.webserver import Reply, serve

DATA = Path(__file__).parent / "data" / "web"
ARTICLE = (DATA / "artikel.html").read_bytes()
NETZPOLITIK = (DATA / "netzpolitik.org.abmahnungen.html").read_bytes()


def stand_in() -> Translator:
    return Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)


def html_reply(body: bytes, content_type: str = "text/html; charset=utf-8") -> Reply:
    return Reply(200, body, {"Content-Type": content_type})


@pytest.fixture(scope="module")
def site():
    routes = {
        "/lokales/neue-bruecke.html": html_reply(ARTICLE),
        "/2016/cider-connection/": html_reply(NETZPOLITIK),
        "/umleitung": Reply(302, b"", {"Location": "/lokales/neue-bruecke.html"}),
        "/kreis": Reply(302, b"", {"Location": "/kreis"}),
        "/login": Reply(401, b"<h1>Bitte anmelden</h1>", {"WWW-Authenticate": "Basic"}),
        "/abo": Reply(403, b"<h1>Nur f\xc3\xbcr Abonnenten</h1>"),
        "/kaputt": Reply(500, b"<h1>Serverfehler</h1>"),
        "/langsam": Reply(200, ARTICLE, delay=3.0),
        "/riesig": Reply(200, b"", {"Content-Type": "text/html"}, endless=True),
        "/bericht.pdf": Reply(200, pdfs.report().data, {"Content-Type": "application/pdf"}),
        "/bild.png": Reply(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, {"Content-Type": "image/png"}),
        "/anmelden": html_reply(
            b'<html><body><h1>Anmelden</h1><form><input type="text" name="user">'
            b'<input type="password" name="pw"><button>Login</button></form></body></html>'
        ),
        "/leer": html_reply(
            b"<html><body><div id='app'></div><script>start()</script></body></html>"
        ),
    }
    with serve(routes) as base:
        yield base


def test_web_article_keeps_headings_lists_quotes_and_drops_navigation_ads_comments(site):
    source = read_url(site + "/lokales/neue-bruecke.html")
    markdown = source.state.text
    units = [u.of(source.text) for u in source.units]
    assert units[0] == "Neue Brücke über den Rhein eröffnet"  # the title, once
    assert units.count("Neue Brücke über den Rhein eröffnet") == 1
    assert "\n# Neue Brücke über den Rhein eröffnet\n" in markdown
    assert "\n## Was sich für Pendler ändert\n" in markdown
    assert "\n- Die Buslinie 7 fährt ab Montag über die neue Brücke.\n" in markdown
    assert "\n> Diese Brücke verbindet zwei Stadtteile" in markdown
    assert "Brückenfest mit Musik" in source.text
    for boilerplate in (
        "Startseite",
        "Sportressort",
        "Gartenmöbel",
        "Mehr zum Thema",
        "Parkgebühren",
        "Kommentare",
        "Endlich!",
        "Viel zu teuer",
        "Impressum",
    ):
        assert boilerplate not in source.text, boilerplate
    assert source.metadata == {
        "url": site + "/lokales/neue-bruecke.html",
        "title": "Neue Brücke über den Rhein eröffnet",
        "author": "Anna Beispiel",
        "date": "2024-05-17",
        "sitename": site.removeprefix("http://"),
    }


def test_web_real_article_without_comments_or_donation_banner(site):
    source = read_url(site + "/2016/cider-connection/")
    assert source.metadata["title"] == (
        "Die Cider Connection: Abmahnungen gegen Nutzer von Creative-Commons-Bildern"
    )
    assert source.metadata["author"] == "Markus Reuter"
    assert source.metadata["date"] == "2016-06-23"
    assert "Philipp H. und Lutz S. wohnen beide in Kiel" in source.text
    assert "Der VSGE & die Kommerzialisierung von Rechten Dritter" in source.text
    assert "Glauben heißt nicht wissen" not in source.text  # a reader's comment
    assert "Wir sind spendenfinanziert" not in source.text
    # emphasis and links of the article stay Markdown, around the German words they covered
    assert "**Philipp H.**" in source.state.text
    assert "[wegen Lizenzverletzungen bei Creative-Commons-Bildern abgemahnt](https://" in (
        source.state.text
    )


def test_web_redirect_is_followed_and_the_final_url_kept(site):
    source = read_url(site + "/umleitung")
    assert source.metadata["url"] == site + "/lokales/neue-bruecke.html"
    assert source.name == "neue-bruecke.md"


def test_web_every_output_carries_the_source_url_and_title(site, tmp_path):
    url = site + "/lokales/neue-bruecke.html"
    source = read_url(url)
    document = stand_in().translate_text(source.text, paragraphs=source.units)
    document.check()
    title = "Neue Brücke über den Rhein eröffnet"

    english = write_bytes(document, source, "md").decode()
    assert english.startswith(f'---\nurl: "{url}"\ntitle: "{title}"\n')
    assert "\n# NEUE BRÜCKE ÜBER DEN RHEIN ERÖFFNET\n" in english
    assert "\n## WAS SICH FÜR PENDLER ÄNDERT\n" in english
    assert "\n- DIE BUSLINIE 7 FÄHRT AB MONTAG ÜBER DIE NEUE BRÜCKE.\n" in english
    assert "\n> DIESE BRÜCKE VERBINDET" in english

    data = json.loads(write_bytes(document, source, "json"))
    assert data["metadata"]["url"] == url and data["metadata"]["title"] == title

    tmx = ET.fromstring(write_bytes(document, source, "tmx"))
    props = {p.get("type"): p.text for p in tmx.iter("prop")}
    assert props["x-url"] == url and props["x-title"] == title

    xliff = ET.fromstring(write_bytes(document, source, "xliff"))
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    assert xliff.find("x:file", ns).get("original") == url
    notes = {n.get("category"): n.text for n in xliff.iterfind("x:file/x:notes/x:note", ns)}
    assert notes["url"] == url and notes["title"] == title

    page = write_bytes(document, source, "bilingual-html").decode()
    assert f"<title>{title}</title>" in page
    assert f'href="{url}"' in page

    assert write_bytes(document, source, "txt").decode().startswith(title.upper())


def test_web_url_of_a_pdf_is_read_as_a_pdf(site):
    source = read_url(site + "/bericht.pdf")
    assert source.format == "pdf" and source.name == "bericht.pdf"
    assert source.metadata["url"] == site + "/bericht.pdf"
    assert source.metadata["title"] == "Jahresbericht 2023"
    assert "Verhandlungen" in source.text


def test_web_translate_url_writes_markdown(site, tmp_path):
    url = site + "/lokales/neue-bruecke.html"
    document = translate(url, tmp_path / "bruecke.md", translator=stand_in())
    assert document.metadata["url"] == url
    written = (tmp_path / "bruecke.md").read_text("utf-8")
    assert f'url: "{url}"' in written and "# NEUE BRÜCKE" in written
    with pytest.raises(InputError, match=r"only from a \.html input"):
        translate(url, tmp_path / "bruecke.html", translator=stand_in())


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/login", r"asks for a login \(HTTP 401"),
        ("/abo", r"refuses access \(HTTP 403.*login or paywall"),
        ("/gibtsnicht", r"was not found \(HTTP 404"),
        ("/kaputt", r"server of .* failed \(HTTP 500"),
        ("/kreis", r"redirects more than 5 times"),
        ("/bild.png", r"is not a web page but image/png"),
        ("/anmelden", r"shows a login form, not an article"),
        ("/leer", r"almost no article text \(0 characters\).*JavaScript"),
    ],
)
def test_web_bad_pages_are_one_clear_line(site, path, message):
    with pytest.raises(InputError, match=message) as caught:
        read_url(site + path)
    assert "\n" not in str(caught.value)


def test_web_timeout_is_a_clear_message(site):
    with pytest.raises(InputError, match=r"did not answer within 0.5 s"):
        read_url(site + "/langsam", timeout=0.5)


def test_web_size_limit_stops_an_endless_page(site):
    with pytest.raises(InputError, match="larger than 1 MB"):
        read_url(site + "/riesig", max_bytes=2**20)


def test_web_unreachable_host_is_a_clear_message():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InputError, match=r"can't reach 127.0.0.1: .*check the address"):
        read_url(f"http://127.0.0.1:{port}/artikel", timeout=2)


def test_web_only_http_addresses_are_fetched():
    assert web.is_url("https://example.org/a") and web.is_url("HTTP://x.de")
    assert not web.is_url("artikel.txt") and not web.is_url("file:///etc/passwd")
    with pytest.raises(InputError, match="not a web address"):
        web.fetch("https:///ohne-host")


@pytest.mark.parametrize(
    ("body", "header", "expected"),
    [
        ("<p>Größe</p>".encode("latin-1"), "iso-8859-1", "Größe"),  # the HTTP header says
        ('<meta charset="windows-1252"><p>Größe</p>'.encode("cp1252"), None, "Größe"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
            "<p>Preis 5 €</p>".encode("iso-8859-15"),
            None,
            "Preis 5 €",
        ),
        ("<p>Größe</p>".encode(), None, "Größe"),  # no label: UTF-8 by the text rule
        ('<meta charset="utf-16"><p>Größe</p>'.encode(), None, "Größe"),  # 8-bit: UTF-8
    ],
)
def test_web_charset_from_header_then_meta(body, header, expected):
    assert expected in web.decode_page(body, header, "https://x.example/")


def test_web_utf7_and_codec_names_are_never_honoured():
    body = b'<meta charset="utf-7"><p>+ADw-img src=x onerror=alert(1)+AD4-</p>'
    assert "+ADw-img" in web.decode_page(body, None, "https://x.example/")
    assert "+ADw-img" in web.decode_page(body, "utf-7", "https://x.example/")
    assert "\\u00e4" in web.decode_page(b"<p>\\u00e4</p>", "unicode_escape", "https://x/")


ATTACK = "+ADw-img src=x onerror=alert(1)+AD4-"
UTF7_PAGE = (
    '<html><head><meta charset="utf-7"><title>Ein Angriff</title></head><body><article>'
    "<h1>Ein Angriff</h1>"
    + f"<p>Dieser Absatz enthält {ATTACK} als Text, und ein Browser zeigt ihn als Text.</p>"
    + "<p>Die Seite sagt, sie sei in UTF-7 geschrieben, doch kein Browser liest UTF-7.</p>"
    + "<p>Darum bleibt jedes Pluszeichen ein Pluszeichen und jeder Buchstabe ein Buchstabe.</p>"
    + "<p>Erst ein Leser, der UTF-7 glaubt, machte aus diesem Text ein Bild mit Skript.</p>"
    + "</article></body></html>"
).encode()


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=utf-7"])
def test_web_page_declaring_utf7_is_read_as_a_browser_reads_it(content_type, tmp_path):
    """A page served from a local server that declares UTF-7 (in its ``<meta>``, or in the HTTP
    header too) is read as the ASCII it is: its text never becomes markup in the English."""
    with serve({"/angriff.html": html_reply(UTF7_PAGE, content_type)}) as base:
        source = read_url(base + "/angriff.html")
        assert ATTACK in source.text and "<img" not in source.text
        document = translate(base + "/angriff.html", tmp_path / "a.md", translator=stand_in())
    english = (tmp_path / "a.md").read_text("utf-8")
    assert ATTACK.upper() in english and "<img" not in english.lower()
    assert "<img" not in write_bytes(document, source, "bilingual-html").decode().lower()


LATER_META = "<!--" + "x" * 2000 + '--><meta charset="koi8-r">'


@pytest.mark.parametrize(
    ("body", "header", "expected"),
    [
        pytest.param(
            '<!-- <meta charset="koi8-r"> --><p>Größe</p>'.encode(), None, "Größe", id="commented"
        ),
        pytest.param(
            '<meta name="x" content="charset=koi8-r"><p>Größe</p>'.encode(),
            None,
            "Größe",
            id="content-without-http-equiv",
        ),
        pytest.param(
            '<meta charset="x-user-defined"><p>Größe</p>'.encode("cp1252"),
            None,
            "Größe",
            id="x-user-defined",
        ),
        pytest.param(
            '<meta charset="utf-16"><p>Größe</p>'.encode("utf-16-le"),
            "utf-16",
            "Größe",
            id="utf-16-header",
        ),
        pytest.param(
            (LATER_META + "<p>Привет</p>").encode("koi8-r"), None, "Привет", id="meta-after-1024"
        ),
        pytest.param(
            '<meta charset="utf-7"><p>Größe +ADw-b+AD4-</p>'.encode(),
            "unicode_escape",
            "Größe +ADw-b+AD4-",
            id="utf-7-and-codec-name",
        ),
    ],
)
def test_web_pages_are_decoded_as_saved_pages_are(body, header, expected):
    """One decoding path: a page by URL reads as the same page saved and opened as .html (with
    the HTTP charset, where one was sent, in the place a browser gives it)."""
    from translator.formats import read_bytes

    text = web.decode_page(body, header, "https://x.example/")
    assert text.endswith(f"<p>{expected}</p>")
    if header is None:
        assert read_bytes("p.html", body).text == expected


def test_web_markdown_escapes_article_text_that_looks_like_markup():
    page = (
        "<html><head><title>Sonderzeichen im Text</title></head><body><article>"
        "<h1>Sonderzeichen im Text</h1>"
        + "<p>Ein Absatz mit *Sternchen*, [eckigen Klammern] und &lt;img src=x onerror=alert(1)&gt;"
        " als Text, dazu ein Unterstrich_im_Wort und &amp;copy; als Zeichenfolge.</p>"
        * 3
        + "<p>- Kein Listenpunkt, sondern ein Gedankenstrich am Anfang eines langen Satzes.</p>"
        "</article></body></html>"
    ).encode()
    source = web.read_page(page, "https://x.example/sonder")
    text = source.text
    assert "*Sternchen*, [eckigen Klammern] und <img src=x onerror=alert(1)> als Text" in text
    assert "Unterstrich_im_Wort und &copy; als Zeichenfolge" in text
    assert "- Kein Listenpunkt" in text
    assert "<img" not in source.state.text.replace("\\<img", "")


def test_cli_translates_a_url_into_markdown(site, tmp_path):
    url = site + "/lokales/neue-bruecke.html"
    done = run_cli(url, "-o", "bruecke.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f'url: "{url}"' in (tmp_path / "bruecke.md").read_text("utf-8")
    shown = run_cli(url, cwd=tmp_path)  # without -o: the English Markdown on standard output
    assert shown.returncode == 0, shown.stderr
    assert "# NEUE BRÜCKE ÜBER DEN RHEIN ERÖFFNET" in shown.stdout


def test_cli_login_wall_is_one_line_and_exit_status_1(site, tmp_path):
    done = run_cli(site + "/abo", "-o", "abo.md", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "refuses access (HTTP 403" in done.stderr
    assert not (tmp_path / "abo.md").exists()
