"""The standalone bilingual HTML file: one file, nothing fetched, the document only as data."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from translator.document import Document, Paragraph, Sentence, Span
from translator.reader import reader_css
from translator.reader.payload import build_payload
from translator.reader.standalone import render_standalone_html

from .test_reader_payload import make_document

XSS = "</script><script>alert(1)</script> und <img src=x onerror=alert(1)> <!-- &amp;"


def one_sentence(text: str) -> Document:
    span = Span(0, len(text))
    return Document(
        source=text,
        target=text,
        paragraphs=[Paragraph(span, span, [Sentence(span, span)])],
        signature="test",
    )


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def test_the_page_carries_the_documents_payload_as_json():
    document = make_document()
    page = parse(render_standalone_html(document))
    data = [
        text
        for (tag, attrs), text in zip(
            [t for t in page.tags if t[0] == "script"], page.scripts, strict=True
        )
        if attrs.get("type") == "application/json"
    ]
    assert json.loads(data[0]) == build_payload(document)


def test_the_page_fetches_nothing_from_anywhere():
    html = render_standalone_html(make_document())
    for tag, attrs in parse(html).tags:
        assert not {"src", "href"} & set(attrs), (tag, attrs)
    assert "http://" not in html and "https://" not in html and "@import" not in html
    assert "default-src 'none'" in html  # and the browser is told to refuse any fetch


def test_the_page_inlines_the_readers_script_and_style():
    html = render_standalone_html(make_document())
    assert reader_css() in html
    assert "function mount(" in html and "export default" not in html
    assert "mount({ data: data, parentElement: host })" in html


def test_html_in_the_document_cannot_end_the_data_block_or_add_elements():
    html = render_standalone_html(one_sentence(XSS))
    page = parse(html)
    assert [tag for tag, _ in page.tags].count("script") == 2
    assert not [tag for tag, _ in page.tags if tag == "img"]
    data = next(s for s in page.scripts if s.lstrip().startswith("{"))
    assert "<" not in data and ">" not in data and "&" not in data
    assert json.loads(data)["rows"][0][1]["de"][0]["t"] == [XSS]


def test_the_title_is_the_documents_first_words_escaped():
    html = render_standalone_html(
        one_sentence("Ein <b>Titel</b> mit vielen Wörtern, die nicht alle passen")
    )
    title = re.search(r"<title>(.*)</title>", html).group(1)
    assert title == "Ein &lt;b&gt;Titel&lt;/b&gt; mit vielen Wörtern, die nicht alle passen"
    long = render_standalone_html(one_sentence(" ".join(["Wort"] * 30)))
    assert re.search(r"<title>(.*)</title>", long).group(1) == " ".join(["Wort"] * 10) + " …"


def test_the_page_is_one_utf8_html_document():
    html = render_standalone_html(make_document())
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in html
    assert "groß" in html  # the text is kept as itself, not as escapes


def test_the_page_is_complete_and_read_only_its_reader_draws_the_shading_switch():
    document = make_document()
    html = render_standalone_html(document)
    data = json.loads(re.search(r'id="bi-data">(.*?)</script>', html).group(1))
    assert data["state"]["complete"] is True and data["state"]["choose"] is False
    assert data["base"] is None and data["total"] == len(document.paragraphs)
    assert "Shade low-confidence words" in html  # the reader's own toolbar, in its script
