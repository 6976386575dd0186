"""HTML: text nodes translated; tags, attributes, scripts and styles keep their bytes."""

from __future__ import annotations

import re

from translator import translate
from translator.formats import htmlpage, read_bytes

from .fixtures.documents import make_document, upper, upper_aligned

# ("keep", input, output) must come out as output; ("prose", text) is translated.
CHUNKS = [
    ("keep", '<!DOCTYPE html>\n<html lang="de" class="no-js">\n<head>\n', None),
    ("keep", '<meta charset="utf-8">\n<title>', None),
    ("prose", "Über die Stadt"),
    ("keep", "</title>\n<style>p > b { color: #c00 } /* Schrift */</style>\n", None),
    ("keep", '<script>var t = "<p>Nicht übersetzen</p>"; if (a < b) {}</script>\n', None),
    ("keep", "</head>\n<body>\n<h1 id=\"top\" data-x='1 > 0'>", None),
    ("prose", "Willkommen in Köln"),
    ("keep", "</h1>\n<p>\n  ", None),
    ("prose", "Der Dom ist groß. Der Rhein fließt vorbei."),
    ("keep", "\n</p>\n<!-- ein Kommentar bleibt -->\n<ul>\n  <li>", None),
    ("prose", "Erster Punkt"),
    ("keep", "</li>\n  <li>", None),
    ("prose", "Zweiter Punkt"),
    ("keep", '</li>\n</ul>\n<table><tr><td class="a">', None),
    ("prose", "Zelle"),
    ("keep", "</td><td>2024</td></tr></table>\n<pre>Vorformatiert bleibt</pre>\n", None),
    ("keep", '<p translate="no">Firmenname GmbH</p>\n', None),
    ("keep", '<blockquote lang="de-DE">', '<blockquote lang="en">'),
    ("prose", "Ein Zitat"),
    ("keep", "</blockquote>\n</body>\n</html>\n", None),
]
SOURCE = "".join(c[1] for c in CHUNKS)
PROSE = [c[1] for c in CHUNKS if c[0] == "prose"]


def expected_pattern() -> re.Pattern[str]:
    parts = []
    for kind, text, *rest in CHUNKS:
        if kind == "prose":
            parts.append("(.+?)")
        else:
            out = rest[0] if rest[0] is not None else text
            if text.startswith("<!DOCTYPE"):
                out = out.replace('lang="de"', 'lang="en"')
            parts.append(re.escape(out))
    return re.compile("".join(parts), re.S)


def test_html_reader_finds_exactly_the_text_nodes():
    source = read_bytes("page.html", SOURCE.encode())
    assert [unit.of(source.text) for unit in source.units] == PROSE


def test_html_keeps_every_byte_outside_the_text_and_sets_lang_en(model_dir, tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(SOURCE.encode())
    translate(path, tmp_path / "page.en.html", model=str(model_dir))
    written = (tmp_path / "page.en.html").read_text("utf-8")
    match = expected_pattern().fullmatch(written)
    assert match, written
    assert all(t.strip() for t in match.groups())
    assert sum(t != p for t, p in zip(match.groups(), PROSE, strict=True)) >= len(PROSE) - 1


def test_a_page_without_lang_gets_one():
    source = read_bytes("p.html", b"<html><body><p>Hallo Welt.</p></body></html>")
    document = make_document(source.text, source.units, upper)
    written = htmlpage.write(document, source).decode()
    assert written == '<html lang="en"><body><p>HALLO WELT.</p></body></html>'


def test_inline_tags_move_with_their_words_and_entities_are_text():
    text = '<p>Das ist <b class="x">sehr</b> wichtig &amp; <a href="/a?b=1&amp;c=2">hier</a>.</p>'
    source = read_bytes("p.html", text.encode())
    assert source.text == "Das ist sehr wichtig & hier."
    document = make_document(source.text, source.units, upper_aligned)
    assert htmlpage.write(document, source).decode() == (
        '<p>DAS IST <b class="x">SEHR</b> WICHTIG &amp; <a href="/a?b=1&amp;c=2">HIER</a>.</p>'
    )


def test_code_and_line_breaks_are_kept_as_they_are():
    text = "<p>Rufe <code>run()</code> auf.<br>Dann warte.</p>"
    source = read_bytes("p.html", text.encode())
    document = make_document(source.text, source.units, upper)
    written = htmlpage.write(document, source).decode()
    assert written.count("<code>run()</code>") == 1 and written.count("<br>") == 1
    assert "RUFE" in written and "DANN WARTE." in written


def test_a_windows_1252_page_is_decoded_and_written_back_in_its_encoding():
    text = '<html><head><meta charset="windows-1252"></head><body><p>Grüße „aus“ Köln – 5 €.</p>'
    source = read_bytes("p.html", text.encode("cp1252"))
    assert source.text == "Grüße „aus“ Köln – 5 €."
    document = make_document(source.text, source.units, lambda g: ("Greetings ✓ from Köln.", None))
    written = htmlpage.write(document, source)
    assert written.decode("cp1252").endswith("<p>Greetings &#10003; from Köln.</p>")
    assert b'<meta charset="windows-1252">' in written
