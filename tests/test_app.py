"""The page's Python side through Streamlit's AppTest: what reaches the reader, settings, errors.

The translation runs beside the page, so a test reruns the page (as the browser's redraws do)
until the reader says the document is complete. AppTest cannot hover or run the reader's
JavaScript: ``tests/browser/`` does that in Chromium.
"""

from __future__ import annotations

import io
import json
import threading
import time

import docx
import pytest
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from translator import Translator
from translator.page import (
    DEFAULT_BEAM,
    READABLE_KINDS,
    REDRAW_ENV,
    RESULTS,
    alternatives_for,
    plain_markdown,
)

from .conftest import ROOT
from .fixtures.apptest import APP, complete, message, paste, said, screen, upload
from .fixtures.reader import sentences_of, text_of
from .fixtures.webserver import Reply, serve
from .fixtures.word import DOCX, report_docx

ARTICLE = (ROOT / "tests" / "data" / "web" / "artikel.html").read_bytes()
HOSTILE_NAME = "**fett** [k](mailto:x@y.z) :red[rot] $x^2$.docx"
XSS = "<script>alert(1)</script> und <img src=x onerror=alert(1)>"
UNREADABLE = [
    ("kaputt.docx", b"PK\x03\x04 not really a zip", "not a Word document"),
    ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is damaged"),
    ("bild.txt", bytes(range(256)) * 8, "binary file, not text"),
]


@pytest.fixture()
def app(monkeypatch, model_dir):
    """The page on the test model. Finished translations stay in the server's shared results
    between tests (the seed article is translated once); ``calls`` starts from none."""
    monkeypatch.setenv("TRANSLATOR_MODEL", str(model_dir))
    return AppTest.from_file(APP, default_timeout=300)


@pytest.fixture()
def calls(monkeypatch):
    """Every call into the engine's translation entry points: (name, text, options).

    The server's shared results are cleared first, so the page has translated nothing yet.
    """
    RESULTS.clear()
    seen: list[tuple[str, str, dict]] = []
    for name in ("stream", "translate_text"):
        original = getattr(Translator, name)

        def spy(self, text, *args, _original=original, _name=name, **options):
            seen.append((_name, text, options))
            return _original(self, text, *args, **options)

        monkeypatch.setattr(Translator, name, spy)
    return seen


def elements_in_order(at: AppTest) -> list[str]:
    """The main area's messages and reader, in page order."""
    seen: list[str] = []

    def walk(node) -> None:
        kind = getattr(node, "type", "")
        if kind in ("error", "bidi_component"):
            seen.append(kind)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return seen


@pytest.fixture()
def offered(monkeypatch) -> list[tuple[str, object, str]]:
    """Every download button the page draws: (label, data or its maker, file name)."""
    seen: list[tuple[str, object, str]] = []
    original = ButtonMixin.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        seen.append((label, data, file_name))
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", spy)
    return seen


def last_downloads(offered: list, count: int) -> dict[str, bytes]:
    """The last ``count`` files offered, made as a press of their buttons makes them."""
    return {name: data() if callable(data) else data for _, data, name in offered[-count:]}


# -- the first screen -----------------------------------------------------------------------------


def test_the_first_run_shows_the_german_at_once_with_a_place_for_each_english_row(app, seed_text):
    app.run()
    assert not app.exception and not app.error
    first = screen(app)
    paragraphs = seed_text.strip().split("\n\n")
    assert first.german() == paragraphs, "the whole German, before any English"
    assert first.state["complete"] is False
    complete(app)
    done = screen(app)
    assert done.german() == paragraphs
    assert all(english and english.strip() for english in done.english())


def test_while_the_model_loads_the_page_says_so_above_the_german(app, monkeypatch, calls):
    import translator.page.reading as reading

    loaded = threading.Event()
    load = reading._load_translator

    def loading(model):
        loaded.wait(60)  # the model is "loading" until the test has looked
        return load(model)

    monkeypatch.setattr(reading, "_load_translator", loading)
    app.run()
    assert [i.value for i in app.info] == [
        "Preparing the translation model: this happens once, the first translation after "
        "the page starts; the German is below, the English follows."
    ]
    assert all(english is None for english in screen(app).english())
    loaded.set()
    complete(app)
    assert not app.get("progress") and not app.info


def test_the_reader_gets_words_and_links_of_the_real_translation(app):
    complete(app.run())
    german = sentences_of(screen(app).rows, "de")
    assert any(piece[2] for item in german for piece in item["t"] if isinstance(piece, list))


def test_page_translates_pasted_text_on_button_press(app):
    complete(app.run())
    paste(app, "Erster Absatz.\n\nZweiter Absatz. Mit zwei Sätzen.")
    assert not app.exception
    assert screen(app).german() == ["Erster Absatz.", "Zweiter Absatz. Mit zwei Sätzen."]


def test_a_changed_text_says_press_translate_until_it_is_translated(app):
    complete(app.run())
    app.text_area[0].input("Ein anderer Text.").run()
    assert any("press **Translate**" in c.value for c in app.caption)
    app.button[0].click().run()
    assert not any("press **Translate**" in c.value for c in app.caption)


def test_an_uploaded_markdown_file_is_read_as_markdown_and_translated_by_its_blocks(app, calls):
    complete(app.run())
    upload(app, "artikel.md", b"# Titel\n\nEin Satz.", "text/markdown")
    assert not app.exception and not app.error
    assert app.text_area[0].value == "Titel\n\nEin Satz."  # the text that is translated
    assert screen(app).german() == ["Titel", "Ein Satz."]
    (name, text, options) = calls[-1]
    assert name == "stream" and text == "Titel\n\nEin Satz."
    assert [u.of(text) for u in options["paragraphs"]] == ["Titel", "Ein Satz."]


def test_an_uploaded_word_file_is_translated_by_paragraph_and_cell_and_comes_back_as_word(
    app, offered
):
    complete(app.run())
    upload(app, "bericht.docx", report_docx(), DOCX)
    assert not app.exception and not app.error
    rows = screen(app).german()
    assert rows[:2] == ["Bericht über die Stadt", "Der Dom ist sehr groß."]
    assert "Der Rhein" in rows and "1.084.831" not in rows  # a cell, and a number left alone
    assert app.text_area[0].value.startswith("Bericht über die Stadt\n\nDer Dom ist sehr groß.")
    files = last_downloads(offered, 6)
    assert list(files) == [
        "bericht.en.docx",
        "bericht.bilingual.html",
        "bericht.tmx",
        "bericht.xlf",
        "bericht.json",
        "bericht.en.txt",
    ]
    english = docx.Document(io.BytesIO(files["bericht.en.docx"]))
    assert english.paragraphs[0].style.name == "Heading 1"
    assert english.paragraphs[0].text != "Bericht über die Stadt"
    assert english.tables[0].cell(0, 1).text == "1.084.831"
    assert json.loads(files["bericht.json"])["target"] == files["bericht.en.txt"].decode()


def test_the_downloads_are_offered_twice_a_menu_for_phones_and_a_row_below(app, offered):
    complete(app.run())
    labels = [label for label, _, _ in offered[-10:]]
    assert labels == ["English .txt", "Bilingual .html", "TMX", "XLIFF", "JSON"] * 2


def test_pressing_translate_on_an_unchanged_upload_keeps_it_a_word_file(app, offered, calls):
    complete(app.run())
    upload(app, "bericht.docx", report_docx(), DOCX)
    count = len(calls)
    complete(app.button[0].click().run())
    assert len(calls) == count, "nothing new to translate"
    assert offered[-6][2] == "bericht.en.docx"


@pytest.mark.parametrize(("name", "data", "text"), UNREADABLE, ids=["docx", "pdf", "binary"])
def test_an_unreadable_upload_says_why_keeps_the_translation_and_clears_on_the_next_try(
    app, seed_text, name, data, text
):
    complete(app.run())
    before = screen(app)
    app.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
    assert not app.exception
    assert len(app.error) == 1 and text in said(app.error[0]) and name in said(app.error[0])
    assert app.text_area[0].value == seed_text
    assert screen(app).rows == before.rows, "the previous translation stays"
    uploader_key = app.file_uploader[0].key
    paste(app, "Ein neuer Satz.")
    assert not app.error, "the message goes with the next try"
    assert app.file_uploader[0].key != uploader_key, "and so does the failed file"
    assert app.file_uploader[0].value is None


def test_the_result_cache_knows_an_upload_by_its_name_and_its_bytes(app, calls):
    complete(app.run())
    paste(app, "Ein Satz.")
    assert len(calls) == 2
    upload(app, "satz.md", b"Ein Satz.", "text/markdown")
    assert len(calls) == 3, "the same text from a file is a different input"
    upload(app, "satz.txt", b"Ein Satz.")
    assert len(calls) == 4, "the same bytes under another name may be read differently"
    second = AppTest.from_file(APP, default_timeout=120).run()
    upload(second, "satz.md", b"Ein Satz.", "text/markdown")
    assert len(calls) == 4, "a second visitor's same file comes from the shared results"
    upload(second, "satz.md", "Ein Satz.".encode("utf-16"), "text/markdown")
    assert len(calls) == 5, "other bytes, same text: translated again"


def test_downloads_follow_a_chosen_alternative(app, offered):
    complete(app.run())
    upload(app, "bericht.docx", report_docx(), DOCX)
    reading = app.session_state["reading"]
    index, alternative = next(
        (item["s"], item["alts"][0]["text"])
        for item in sentences_of(screen(app).rows, "en")
        if item["alts"]
    )
    reading.choose(index, alternative)  # what the page does when the reader reports a choice
    app.run()
    assert not app.exception
    files = last_downloads(offered, 6)
    assert alternative in files["bericht.en.txt"].decode()
    english = docx.Document(io.BytesIO(files["bericht.en.docx"]))
    texts = [p.text for p in english.paragraphs] + [
        c.text for t in english.tables for row in t.rows for c in row.cells
    ]
    texts += [p.text for p in english.sections[0].header.paragraphs]
    assert any(alternative in t for t in texts)
    changed = next(i for i in sentences_of(screen(app).rows, "en") if i["s"] == index)
    assert text_of([changed]) == alternative


def test_html_in_the_text_reaches_the_reader_as_plain_characters(app):
    complete(app.run())
    paste(app, XSS)
    assert not app.exception
    assert screen(app).german() == [XSS]
    assert not [m for m in app.markdown if "<script" in m.value or "<img" in m.value]


def test_a_model_that_cannot_be_loaded_shows_one_clear_message_above_the_german(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("TRANSLATOR_MODEL", str(tmp_path / "missing-model"))
    RESULTS.clear()
    at = complete(AppTest.from_file(APP, default_timeout=60).run())
    assert not at.exception
    assert len(at.error) == 1
    assert "Could not load the translation model" in said(at.error[0])
    assert "hf download" in said(at.error[0])
    shown = screen(at)
    assert shown.german() and all(english is None for english in shown.english())
    assert elements_in_order(at)[:2] == ["error", "bidi_component"], "the message on top"


def test_a_model_that_cannot_be_loaded_keeps_the_translation_on_screen(app, tmp_path):
    complete(app.run())
    before = screen(app)
    app.sidebar.text_input[0].input(str(tmp_path / "another-model")).run()
    complete(app)
    assert not app.exception
    assert len(app.error) == 1 and "another-model" in said(app.error[0])
    after = screen(app)
    assert after.english() == before.english(), "the previous translation stays"
    assert all(row["g"] < after.state["g"] for row in after.rows), "dimmed"


def test_an_error_while_translating_keeps_the_rows_translated_and_says_so_at_the_top(
    app, monkeypatch, seed_text, calls
):
    original = Translator.stream

    def breaks(self, text, **options):
        for count, document in enumerate(original(self, text, **options)):
            if count == 3:
                raise RuntimeError("out of memory")
            yield document

    monkeypatch.setattr(Translator, "stream", breaks)
    complete(app.run())
    assert not app.exception
    assert [said(e) for e in app.error] == [
        "The text could not be translated: an unexpected RuntimeError"
    ]
    assert elements_in_order(app)[:2] == ["error", "bidi_component"], "the message on top"
    shown = screen(app)
    translated = [e for e in shown.english() if e is not None]
    assert translated, "the rows translated before the error stay"
    assert shown.german() == seed_text.strip().split("\n\n"), "with all of the German"


def test_the_redraw_interval_at_zero_and_400_paragraphs_draws_one_reader_per_run(app, monkeypatch):
    monkeypatch.setenv(REDRAW_ENV, "0")
    text = "\n\n".join(f"Absatz {i}: Der Hafen liegt am Ufer." for i in range(400))
    app.session_state["fast"] = True  # greedy: the point is the redraws, not the search
    complete(app.run())
    app.text_area[0].input(text)
    app.button[0].click().run()
    runs = 0
    while not message(app)["state"]["complete"]:
        assert not app.exception and not app.error
        assert len(app.get("bidi_component")) == 1
        runs += 1
        time.sleep(0.2)  # AppTest resends every row each run: leave the translation room
        app.run()
    assert not app.exception and not app.error
    shown = screen(app)
    assert len(shown.rows) == 400 and all(shown.english())
    assert runs >= 1


def test_the_model_setting_names_the_model_to_load(app, tmp_path):
    complete(app.run())
    app.sidebar.text_input[0].input(str(tmp_path / "another-model")).run()
    complete(app)
    assert not app.exception
    assert len(app.error) == 1 and "another-model" in said(app.error[0])


def test_reruns_do_not_translate_again(app, calls):
    complete(app.run())
    assert len(calls) == 1
    app.run()
    app.run()
    assert len(calls) == 1


def test_a_second_visitor_gets_the_article_without_translating_it_again(app, calls):
    complete(app.run())
    second = AppTest.from_file(APP, default_timeout=120).run()
    assert len(calls) == 1
    assert screen(second).rows == screen(app).rows
    assert message(second)["state"]["complete"] is True, "complete from its first run"


def test_the_page_streams_with_the_default_beam_and_asks_for_alternatives(app, calls):
    complete(app.run())
    (name, _, options) = calls[0]
    assert name == "stream"
    assert options["beam"] == DEFAULT_BEAM
    assert options["alternatives"] == alternatives_for(DEFAULT_BEAM) == 3


def test_a_new_beam_size_translates_again_with_it(app, calls):
    complete(app.run())
    app.sidebar.number_input[0].set_value(1).run()
    complete(app)
    assert not app.exception
    assert len(calls) == 2
    assert calls[1][2]["beam"] == 1 and "alternatives" not in calls[1][2]
    assert all(not s["alts"] for s in sentences_of(screen(app).rows, "en"))


def test_shading_is_the_readers_own_switch_the_page_has_none(app):
    complete(app.run())
    assert [t.label for t in app.sidebar.toggle] == ["Fast mode (greedy)"]
    assert "shade" not in message(app)["state"]


def test_fast_mode_translates_again_greedily_and_records_it(app, calls):
    complete(app.run())
    app.toggle(key="fast").set_value(True).run()
    complete(app)
    assert not app.exception
    assert len(calls) == 2
    assert calls[1][2]["beam"] == 1 and "alternatives" not in calls[1][2]
    assert all(not s["alts"] for s in sentences_of(screen(app).rows, "en"))


def test_the_page_offers_alternatives_for_choosing(app):
    complete(app.run())
    shown = screen(app)
    assert shown.state["choose"] is True
    assert any(s["alts"] for s in sentences_of(shown.rows, "en"))


def test_downloads_of_pasted_text_lead_with_the_english_text(app, offered):
    complete(app.run())
    paste(app, "Guten Morgen. Wie geht es?")
    files = last_downloads(offered, 5)
    assert list(files) == [
        "translation.en.txt",
        "translation.bilingual.html",
        "translation.tmx",
        "translation.xlf",
        "translation.json",
    ]
    english = files["translation.en.txt"].decode()
    assert json.loads(files["translation.json"])["target"] == english
    page = files["translation.bilingual.html"].decode()
    assert page.startswith("<!DOCTYPE html>") and "Guten Morgen." in page
    assert b"Guten Morgen." in files["translation.tmx"] and b"<xliff" in files["translation.xlf"]


def test_downloads_are_named_after_an_uploaded_file(app, offered):
    complete(app.run())
    upload(app, "bericht.txt", b"Ein Satz.")
    assert [name for _, _, name in offered[-5:]] == [
        "bericht.en.txt",
        "bericht.bilingual.html",
        "bericht.tmx",
        "bericht.xlf",
        "bericht.json",
    ]


def test_the_upload_box_lists_only_what_the_page_reads_and_says_the_size_limit(app):
    app.run()
    uploader = app.file_uploader[0]
    assert list(uploader.proto.type) == [], "any file is taken, to say why it can't be read"
    assert all(kind in uploader.label for kind in READABLE_KINDS)
    assert ".pdf" in uploader.label and ".epub" in uploader.label
    assert "up to 10 MB" in uploader.label


def test_translate_has_a_keyboard_shortcut(app):
    app.run()
    assert app.button[0].proto.shortcut == "ctrl+enter"


# -- a web address ------------------------------------------------------------------------------


@pytest.fixture()
def site(monkeypatch):
    """A local web server with an article and failures; the page may fetch from it (the
    operator's switch for local addresses is on)."""
    monkeypatch.setenv("TRANSLATOR_PAGE_PRIVATE_URLS", "1")
    routes = {
        "/lokales/neue-bruecke.html": Reply(200, ARTICLE, {"Content-Type": "text/html"}),
        "/kaputt": Reply(500, b"<h1>Serverfehler</h1>"),
        "/bild.png": Reply(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, {"Content-Type": "image/png"}),
    }
    with serve(routes) as base:
        yield base


def give_address(at: AppTest, url: str) -> AppTest:
    """Type ``url`` into the web-address field and press Translate."""
    at.text_input(key="url").input(url)
    return at.button[0].click().run()


def test_a_web_address_is_read_shown_and_translated_with_the_downloads_of_an_article(
    app, site, offered
):
    complete(app.run())
    url = site + "/lokales/neue-bruecke.html"
    complete(give_address(app, url))
    assert not app.exception and not app.error
    reading = app.session_state["reading"]
    assert reading.submission.url == url
    assert app.text_area[0].value == reading.submission.text, "the article's Markdown is shown"
    assert "Brücke" in " ".join(screen(app).german())
    assert reading.document.metadata["url"] == url and reading.document.metadata["title"]
    assert any(url in said(c) for c in app.caption), "the page says where the text came from"
    names = [name for _, _, name in offered[-6:]]
    assert names[0] == "neue-bruecke.en.md" and "neue-bruecke.json" in names
    files = last_downloads(offered, 6)
    assert json.loads(files["neue-bruecke.json"])["metadata"]["url"] == url


def test_pressing_enter_in_the_address_field_reads_it_and_translate_does_not_read_it_again(
    app, site, calls
):
    complete(app.run())
    url = site + "/lokales/neue-bruecke.html"
    complete(app.text_input(key="url").set_value(url).run())
    assert app.session_state["reading"].submission.url == url
    count = len(calls)
    complete(app.button[0].click().run())
    assert len(calls) == count, "the same article: nothing new to translate"
    paste(app, "Ein eigener Satz.")
    assert screen(app).german() == ["Ein eigener Satz."], "typed text after an article"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/fehlt", "was not found (HTTP 404"),
        ("/kaputt", "failed (HTTP 500"),
        ("/bild.png", "is not a web page but image/png"),
        (None, "can't reach 127.0.0.1"),
    ],
    ids=["404", "500", "image", "unreachable"],
)
def test_an_unusable_web_address_says_why_in_one_message_and_keeps_what_is_shown(
    app, site, seed_text, path, message
):
    complete(app.run())
    before = screen(app)
    url = site + path if path else "http://127.0.0.1:9/artikel"  # the discard port: refused
    give_address(app, url)
    assert not app.exception
    assert len(app.error) == 1 and message in said(app.error[0])
    assert app.text_area[0].value == seed_text
    assert screen(app).rows == before.rows, "the previous translation stays"


def test_a_shared_page_refuses_local_addresses_unless_the_server_allows_them(
    app, site, monkeypatch, seed_text
):
    monkeypatch.delenv("TRANSLATOR_PAGE_PRIVATE_URLS")
    complete(app.run())
    give_address(app, site + "/lokales/neue-bruecke.html")
    assert len(app.error) == 1
    assert "127.0.0.1 is a local or private network address" in said(app.error[0])
    assert app.text_area[0].value == seed_text


def test_a_file_name_in_a_message_is_plain_text_not_markdown(app):
    complete(app.run())
    app.file_uploader[0].set_value((HOSTILE_NAME, b"PK\x03\x04 no zip", DOCX)).run()
    assert len(app.error) == 1
    assert HOSTILE_NAME in said(app.error[0])
    assert app.error[0].value == plain_markdown(said(app.error[0])), "plain text, no Markdown"


def test_the_server_can_fix_the_model_so_visitors_cannot_choose_one(app, monkeypatch, model_dir):
    monkeypatch.setenv("TRANSLATOR_PAGE_MODEL_FIXED", "1")
    complete(app.run())
    assert not app.exception and not app.error
    assert not [t for t in app.sidebar.text_input if t.label.startswith("Model")]
    assert any("set by the server" in c.value for c in app.sidebar.caption)
    assert app.session_state["reading"].settings.model == str(model_dir)
