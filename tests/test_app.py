"""The page's Python side through Streamlit's AppTest (the browser tests come with the reader)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture()
def app(monkeypatch, model_dir):
    monkeypatch.setenv("TRANSLATOR_MODEL", str(model_dir))
    return AppTest.from_file(APP, default_timeout=120)


def columns_text(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_page_opens_with_the_seed_article_translated(app, seed_text):
    app.run()
    assert not app.exception
    assert app.text_area[0].value == seed_text
    paragraphs = seed_text.strip().split("\n\n")
    shown = columns_text(app)
    assert len(shown) == 2 * len(paragraphs)
    assert shown[0].startswith("US\\-Präsident Trump will")


def test_page_translates_pasted_text_on_button_press(app):
    app.run()
    app.text_area[0].input("Erster Absatz.\n\nZweiter Absatz. Mit zwei Sätzen.")
    app.button[0].click().run()
    assert not app.exception
    shown = columns_text(app)
    assert shown[0] == "Erster Absatz\\." and shown[2] == "Zweiter Absatz\\. Mit zwei Sätzen\\."
    assert len(shown) == 4


def test_html_in_the_text_is_escaped_not_rendered(app):
    app.run()
    app.text_area[0].input("<script>alert(1)</script> und <img src=x onerror=alert(1)>")
    app.button[0].click().run()
    german = columns_text(app)[0]
    assert "<script>" not in german and "\\<script\\>" in german


def test_a_model_that_cannot_be_loaded_shows_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSLATOR_MODEL", str(tmp_path / "missing-model"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "Could not load the translation model" in at.error[0].value
    assert "hf download" in at.error[0].value


def test_reruns_do_not_translate_again(app, monkeypatch):
    app.run()
    calls = []
    from translator.engine import Translator

    original = Translator.translate_text
    monkeypatch.setattr(
        Translator, "translate_text", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    app.run()
    assert calls == []
