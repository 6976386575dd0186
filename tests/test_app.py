"""The page's Python side through Streamlit's AppTest: what reaches the reader, settings, errors.

AppTest cannot hover or run the reader's JavaScript: ``tests/browser/`` does that in Chromium.
"""

from __future__ import annotations

import json

import pytest
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from translator import Translator, TranslatorError
from translator.reader.payload import build_payload
from translator.reader.session import (
    DEFAULT_BEAM,
    RESULTS,
    alternatives_for,
    replace_sentence,
    translate_stream,
)

from .conftest import ROOT

APP = str(ROOT / "app.py")
XSS = "<script>alert(1)</script> und <img src=x onerror=alert(1)>"


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


def test_an_uploaded_text_file_becomes_the_text_and_is_translated(app):
    app.run()
    app.file_uploader[0].set_value(("artikel.md", b"# Titel\n\nEin Satz.", "text/markdown"))
    app.run()
    assert not app.exception and not app.error
    assert app.text_area[0].value == "# Titel\n\nEin Satz."
    assert [side_text(r["de"]) for r in payload(app)["rows"]] == ["# Titel", "Ein Satz."]


def test_an_upload_that_is_not_utf8_says_so_and_keeps_the_text(app, seed_text):
    app.run()
    app.file_uploader[0].set_value(("alt.txt", "Größe".encode("latin-1"), "text/plain"))
    app.run()
    assert len(app.error) == 1 and "not UTF-8" in app.error[0].value
    assert app.text_area[0].value == seed_text


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
    app.sidebar.toggle[0].set_value(True).run()
    assert payload(app)["shade"] is True
    assert len(calls) == 1


def test_the_page_offers_alternatives_for_choosing(app):
    app.run()
    data = payload(app)
    assert data["alternatives"] is True
    assert any(s["alternatives"] for s in data["sentences"])


def test_downloads_offer_the_english_text_the_json_and_the_bilingual_page(app, monkeypatch):
    offered: list[tuple[str, str, str]] = []
    original = ButtonMixin.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        offered.append((label, data, file_name))
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", spy)
    app.run()
    paste(app, "Guten Morgen. Wie geht es?")
    names = {name: data for _, data, name in offered[-3:]}
    assert set(names) == {"translation.en.txt", "translation.json", "translation.bilingual.html"}
    english = names["translation.en.txt"]
    assert json.loads(names["translation.json"])["target"] == english
    page = names["translation.bilingual.html"]
    assert page.startswith("<!DOCTYPE html>") and "Guten Morgen." in page


def test_downloads_are_named_after_an_uploaded_file(app, monkeypatch):
    offered: list[str] = []
    original = ButtonMixin.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        offered.append(file_name)
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", spy)
    app.run()
    app.file_uploader[0].set_value(("bericht.txt", b"Ein Satz.", "text/plain")).run()
    assert offered[-3:] == ["bericht.en.txt", "bericht.json", "bericht.bilingual.html"]


# -- the page's translation driver (translator.reader.session) --------------------------------


def test_the_stream_ends_with_the_complete_document(translator, seed_text):
    documents = list(translate_stream(translator, seed_text, beam=2, alternatives=1))
    assert documents[-1] == translator.translate_text(seed_text, beam=2, alternatives=1)
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
