"""The page's Python side through Streamlit's AppTest: what reaches the reader, settings, errors.

AppTest cannot hover or run the reader's JavaScript: ``tests/browser/`` does that in Chromium.
"""

from __future__ import annotations

import io
import json

import docx
import pytest
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from tests.fixtures.compare import assert_same_document
from translator import InputError, Translator, TranslatorError
from translator.reader.payload import build_payload
from translator.reader.session import (
    DEFAULT_BEAM,
    READABLE_KINDS,
    RESULTS,
    UPLOAD_EXTENSIONS,
    alternatives_for,
    cache_key,
    download_files,
    replace_sentence,
    submitted_file,
    submitted_text,
    translate_stream,
)

from .conftest import ROOT
from .test_formats_docx import as_bytes, build

APP = str(ROOT / "app.py")
XSS = "<script>alert(1)</script> und <img src=x onerror=alert(1)>"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNREADABLE = [
    ("kaputt.docx", b"PK\x03\x04 not really a zip", "not a Word document"),
    ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is damaged"),
    ("bild.txt", bytes(range(256)) * 8, "binary file, not text"),
]


@pytest.fixture()
def app(monkeypatch, model_dir):
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


def payload(at: AppTest) -> dict:
    """The data the page sent to the reader component (the last one drawn)."""
    components = at.get("bidi_component")
    assert len(components) == 1, "the page draws exactly one reader"
    return json.loads(components[0].proto.json)


def side_text(items: list) -> str:
    parts = []
    for item in items:
        if isinstance(item, str):
            parts.append(item)
        else:
            parts.extend(p if isinstance(p, str) else p[0] for p in item["t"])
    return "".join(parts)


def paste(at: AppTest, text: str) -> AppTest:
    at.text_area[0].input(text)
    return at.button[0].click().run()


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/plain") -> AppTest:
    return at.file_uploader[0].set_value((name, data, mime)).run()


@pytest.fixture()
def offered(monkeypatch) -> list[tuple[str, bytes, str]]:
    """Every download button the page draws: (label, data, file name), latest last."""
    seen: list[tuple[str, bytes, str]] = []
    original = ButtonMixin.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        seen.append((label, data, file_name))
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", spy)
    return seen


def last_downloads(offered: list, count: int) -> dict[str, bytes]:
    return {name: data for _, data, name in offered[-count:]}


def test_page_opens_with_the_seed_article_translated_one_row_per_paragraph(app, seed_text):
    app.run()
    assert not app.exception and not app.error
    assert app.text_area[0].value == seed_text
    rows = payload(app)["rows"]
    paragraphs = seed_text.strip().split("\n\n")
    assert [side_text(row["de"]) for row in rows] == paragraphs
    assert all(side_text(row["en"]).strip() for row in rows)


def test_the_reader_gets_words_and_links_of_the_real_translation(app):
    app.run()
    data = payload(app)
    assert data["de_links"] and data["en_links"]
    assert any(data["de_links"]), "some German word is linked to an English word"


def test_page_translates_pasted_text_on_button_press(app):
    app.run()
    paste(app, "Erster Absatz.\n\nZweiter Absatz. Mit zwei Sätzen.")
    assert not app.exception
    rows = payload(app)["rows"]
    assert [side_text(r["de"]) for r in rows] == [
        "Erster Absatz.",
        "Zweiter Absatz. Mit zwei Sätzen.",
    ]


def test_an_uploaded_markdown_file_is_read_as_markdown_and_translated_by_its_blocks(app, calls):
    app.run()
    upload(app, "artikel.md", b"# Titel\n\nEin Satz.", "text/markdown")
    assert not app.exception and not app.error
    assert app.text_area[0].value == "Titel\n\nEin Satz."  # the text that is translated
    assert [side_text(r["de"]) for r in payload(app)["rows"]] == ["Titel", "Ein Satz."]
    (name, text, options) = calls[-1]
    assert name == "stream" and text == "Titel\n\nEin Satz."
    assert [u.of(text) for u in options["paragraphs"]] == ["Titel", "Ein Satz."]


def test_an_uploaded_word_file_is_translated_by_paragraph_and_cell_and_comes_back_as_word(
    app, offered
):
    app.run()
    upload(app, "bericht.docx", as_bytes(build()), DOCX)
    assert not app.exception and not app.error
    rows = [side_text(r["de"]) for r in payload(app)["rows"]]
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


def test_pressing_translate_on_an_unchanged_upload_keeps_it_a_word_file(app, offered, calls):
    app.run()
    upload(app, "bericht.docx", as_bytes(build()), DOCX)
    count = len(calls)
    app.button[0].click().run()
    assert len(calls) == count, "nothing new to translate"
    assert offered[-6][2] == "bericht.en.docx"


@pytest.mark.parametrize(("name", "data", "message"), UNREADABLE, ids=["docx", "pdf", "binary"])
def test_an_unreadable_upload_says_why_and_keeps_the_text_and_the_translation(
    app, seed_text, name, data, message
):
    app.run()
    before = payload(app)
    upload(app, name, data, "application/octet-stream")
    assert not app.exception
    assert len(app.error) == 1 and message in app.error[0].value and name in app.error[0].value
    assert app.text_area[0].value == seed_text
    assert payload(app) == before, "the previous translation stays"
    paste(app, "Ein neuer Satz.")
    assert not app.error, "the message goes once something else is translated"


def test_the_result_cache_knows_an_upload_by_its_name_and_its_bytes(app, calls):
    app.run()
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


def test_downloads_follow_a_chosen_alternative(app, offered, translator):
    app.run()
    upload(app, "bericht.docx", as_bytes(build()), DOCX)
    key, document = app.session_state["result"]
    index, alternative = next(
        (i, s["alternatives"][0])
        for i, s in enumerate(build_payload(document)["sentences"])
        if s["alternatives"]
    )
    # What the page does when the reader reports a choice (the browser test clicks it).
    app.session_state["result"] = (key, replace_sentence(translator, document, index, alternative))
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


def test_html_in_the_text_reaches_the_reader_as_plain_characters(app):
    app.run()
    paste(app, XSS)
    assert not app.exception
    assert side_text(payload(app)["rows"][0]["de"]) == XSS
    assert not [m for m in app.markdown if "<script" in m.value or "<img" in m.value]


def test_a_model_that_cannot_be_loaded_shows_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSLATOR_MODEL", str(tmp_path / "missing-model"))
    RESULTS.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "Could not load the translation model" in at.error[0].value
    assert "hf download" in at.error[0].value
    assert not at.get("bidi_component")


def test_the_model_setting_names_the_model_to_load(app, tmp_path):
    app.run()
    app.sidebar.text_input[0].input(str(tmp_path / "another-model")).run()
    assert not app.exception
    assert len(app.error) == 1 and "another-model" in app.error[0].value


def test_reruns_do_not_translate_again(app, calls):
    app.run()
    assert len(calls) == 1
    app.run()
    app.run()
    assert len(calls) == 1


def test_a_second_visitor_gets_the_article_without_translating_it_again(app, model_dir, calls):
    app.run()
    second = AppTest.from_file(APP, default_timeout=120).run()
    assert len(calls) == 1
    assert payload(second) == payload(app)


def test_the_page_streams_with_the_default_beam_and_asks_for_alternatives(app, calls):
    app.run()
    (name, _, options) = calls[0]
    assert name == "stream"
    assert options["beam"] == DEFAULT_BEAM
    assert options["alternatives"] == alternatives_for(DEFAULT_BEAM) == 3


def test_a_new_beam_size_translates_again_with_it(app, calls):
    app.run()
    app.sidebar.number_input[0].set_value(1).run()
    assert not app.exception
    assert len(calls) == 2
    assert calls[1][2]["beam"] == 1 and "alternatives" not in calls[1][2]
    assert all(not s["alternatives"] for s in payload(app)["sentences"])


def test_the_shading_switch_shades_without_translating_again(app, calls):
    app.run()
    assert payload(app)["shade"] is False
    app.toggle(key="shade").set_value(True).run()
    assert payload(app)["shade"] is True
    assert len(calls) == 1


def test_fast_mode_translates_again_greedily_and_records_it(app, calls):
    app.run()
    app.toggle(key="fast").set_value(True).run()
    assert not app.exception
    assert len(calls) == 2
    assert calls[1][2]["beam"] == 1 and "alternatives" not in calls[1][2]
    assert all(not s["alternatives"] for s in payload(app)["sentences"])


def test_the_page_offers_alternatives_for_choosing(app):
    app.run()
    data = payload(app)
    assert data["alternatives"] is True
    assert any(s["alternatives"] for s in data["sentences"])


def test_downloads_of_pasted_text_lead_with_the_english_text(app, offered):
    app.run()
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
    assert [label for label, _, _ in offered[-5:]] == [
        "English .txt",
        "Bilingual .html",
        "TMX",
        "XLIFF",
        "JSON",
    ]


def test_downloads_are_named_after_an_uploaded_file(app, offered):
    app.run()
    upload(app, "bericht.txt", b"Ein Satz.")
    assert [name for _, _, name in offered[-5:]] == [
        "bericht.en.txt",
        "bericht.bilingual.html",
        "bericht.tmx",
        "bericht.xlf",
        "bericht.json",
    ]


def test_the_upload_takes_every_readable_kind_and_the_unreadable_ones_it_can_explain(app):
    app.run()
    uploader = app.file_uploader[0]
    assert set(uploader.proto.type) == set(UPLOAD_EXTENSIONS)
    assert {".txt", ".md", ".html", ".docx", ".srt", ".pdf"} <= set(uploader.proto.type)
    assert all(kind in uploader.label for kind in READABLE_KINDS)
    assert ".pdf" in uploader.label and ".epub" in uploader.label


# -- what is submitted and what can be downloaded (translator.reader.session) ----------------


def test_an_uploaded_word_file_becomes_a_source_named_by_its_bytes(translator):
    data = as_bytes(build())
    submission = submitted_file("bericht.docx", data)
    assert submission.source.format == "docx" and submission.source.name == "bericht.docx"
    assert [u.of(submission.text) for u in submission.units][:2] == [
        "Bericht über die Stadt",
        "Der Dom ist sehr groß.",
    ]
    assert submission.origin[:2] == ("file", "bericht.docx")
    assert submitted_file("bericht.docx", data).origin == submission.origin
    assert submitted_file("b.docx", data).origin != submission.origin


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [*UNREADABLE, ("leer.srt", b"\n\n", "no text to translate")],
    ids=["docx", "pdf", "binary", "empty"],
)
def test_an_unreadable_file_is_one_clear_input_error(name, data, message):
    with pytest.raises(InputError, match=message):
        submitted_file(name, data)


def test_the_cache_key_tells_typed_text_from_the_same_text_in_files():
    keys = {
        cache_key(s, "model", 4, 3)
        for s in (
            submitted_text("Ein Satz."),
            submitted_file("a.txt", b"Ein Satz."),
            submitted_file("a.md", b"Ein Satz."),
            submitted_file("a.md", b"\xef\xbb\xbfEin Satz."),  # a byte-order mark: same text
        )
    }
    assert len(keys) == 4
    assert cache_key(submitted_text("Ein Satz."), "model", 4, 3) == cache_key(
        submitted_text("Ein Satz.", name="other.txt"), "model", 4, 3
    ), "a name alone does not change typed text's translation"
    assert cache_key(submitted_text("Ein Satz."), "model", 2, 1) != cache_key(
        submitted_text("Ein Satz."), "model", 4, 3
    )


def test_the_downloads_of_a_word_file_are_its_english_word_file_then_the_rest(translator):
    submission = submitted_file("bericht.docx", as_bytes(build()))
    document = translator.translate_text(submission.text, paragraphs=submission.units, beam=1)
    files = download_files(document, submission.source)
    assert [(f.format, f.file_name) for f in files] == [
        ("docx", "bericht.en.docx"),
        ("bilingual-html", "bericht.bilingual.html"),
        ("tmx", "bericht.tmx"),
        ("xliff", "bericht.xlf"),
        ("json", "bericht.json"),
        ("txt", "bericht.en.txt"),
    ]
    assert files[0].label == "English .docx" and files[0].mime == DOCX
    assert files[0].help == "The same Word document (.docx) with its text in English"
    assert all(isinstance(f.data, bytes) and f.data for f in files)
    english = docx.Document(io.BytesIO(files[0].data))
    assert [p.style.name for p in english.paragraphs][:2] == ["Heading 1", "Normal"]
    assert files[-1].data.decode() == document.target


def test_the_downloads_of_typed_text_are_named_after_it(translator):
    submission = submitted_text("Guten Morgen.")
    document = translator.translate_text(submission.text, beam=1)
    files = download_files(document, submission.source)
    assert [f.file_name for f in files] == [
        "translation.en.txt",
        "translation.bilingual.html",
        "translation.tmx",
        "translation.xlf",
        "translation.json",
    ]


def test_the_stream_keeps_a_files_units_as_its_paragraphs(translator):
    submission = submitted_file("bericht.docx", as_bytes(build()))
    *_, document = translate_stream(
        translator, submission.text, beam=1, paragraphs=submission.units
    )
    spans = [p.source.of(document.source) for p in document.paragraphs]
    assert spans == [u.of(submission.text).strip() for u in submission.units]


# -- the page's translation driver (translator.reader.session) --------------------------------


def test_the_stream_ends_with_the_complete_document(translator, seed_text):
    documents = list(translate_stream(translator, seed_text, beam=2, alternatives=1))
    # the stream batches differently (its first window is one sentence): floats may differ
    assert_same_document(
        documents[-1], translator.translate_text(seed_text, beam=2, alternatives=1)
    )
    assert documents[-1].source == seed_text


def test_the_stream_yields_rows_from_the_beginning_of_the_document(translator, seed_text):
    long = "\n\n".join([seed_text.strip()] * 4)
    seen: list[tuple[int, int]] = []
    documents = list(
        translate_stream(translator, long, beam=1, progress=lambda d, t: seen.append((d, t)))
    )
    assert len(documents) > 2, "rows arrive in more than one piece"
    first = documents[0]
    assert first.paragraphs and first.paragraphs[0].source.of(long) == long.split("\n\n")[0]
    counts = [len(d.paragraphs) for d in documents]
    assert counts == sorted(counts)
    assert seen[-1][0] == seen[-1][1] and seen[0][0] < seen[-1][1]


def test_a_chosen_alternative_replaces_the_sentence_in_view_and_downloads(translator):
    document = translator.translate_text("Guten Morgen. Wie geht es?", beam=4, alternatives=3)
    alternatives = build_payload(document)["sentences"][1]["alternatives"]
    assert alternatives, "the test model gives alternatives with a beam of 4"
    updated = replace_sentence(translator, document, 1, alternatives[0])
    assert list(updated.pairs())[1][1] == alternatives[0]
    assert alternatives[0] in updated.target
    assert side_text(build_payload(updated)["rows"][0]["en"]) == updated.target


def test_choosing_a_sentence_that_does_not_exist_is_a_clear_error(translator):
    document = translator.translate_text("Guten Morgen.", beam=1)
    with pytest.raises(TranslatorError, match="no sentence 5"):
        replace_sentence(translator, document, 5, "Hello.")


def test_alternatives_are_asked_for_only_when_the_beam_can_give_them():
    assert [alternatives_for(b) for b in (1, 2, 4, 8)] == [0, 1, 3, 3]
