"""What a browser tab is sent while a document streams: its German at once, then only the rows
that changed since what it says it has, each replaced in place."""

from __future__ import annotations

import pytest

from translator import Translator
from translator.document import Span
from translator.reader.view import ReaderView
from translator.segment import segment
from translator.testing import StandInBackend

from .fixtures.reader import Screen


@pytest.fixture(scope="module")
def stand_in() -> Translator:
    return Translator(backend=StandInBackend(order="keep"), cache=False, retry_degenerate=False)


def paragraphs(count: int, sentences: int = 1) -> str:
    return "\n\n".join(
        " ".join(f"Hier steht Absatz {p} mit Satz {s} und mehr." for s in range(sentences))
        for p in range(count)
    )


def german_view(text: str) -> ReaderView:
    view = ReaderView()
    view.show_german(text, [p for p, sentences in segment(text) if sentences])
    view.follow("settings")
    return view


def test_a_new_text_shows_its_german_at_once_each_paragraph_waiting_for_its_english():
    text = paragraphs(3)
    screen = Screen()
    screen.apply(german_view(text).message(None, {}))
    assert screen.german() == text.split("\n\n")
    assert screen.english() == [None, None, None]
    assert screen.state["complete"] is False


def test_while_streaming_each_redraw_sends_only_the_rows_that_changed(stand_in):
    text = paragraphs(400)
    view, screen = german_view(text), Screen()
    screen.apply(view.message(None, {}))
    partials = list(stand_in.stream(text, first_window=1))
    for document in partials[:-1]:
        view.sync(document, final=False)
        screen.apply(view.message(screen.have, {}))
    view.sync(partials[-1], final=True)
    screen.apply(view.message(screen.have, {}))
    assert screen.applied[0] == 400, "the German comes first, whole"
    assert sum(screen.applied[1:]) == 400, "then every row once, when its English arrives"
    assert max(screen.applied[1:]) <= 128, "a redraw carries one window's rows at most"
    assert screen.english() == [p.upper() for p in text.split("\n\n")]
    assert screen.state["complete"] is True
    whole = view.message(None, {})
    assert max(screen.sizes[1:]) < Screen().sizes_of(whole) / 3, "no redraw resends it all"


def test_a_paragraph_that_arrives_in_parts_shows_its_german_rest_and_is_sent_again(stand_in):
    text = paragraphs(2, sentences=3)
    view, screen = german_view(text), Screen()
    screen.apply(view.message(None, {}))
    first = next(iter(stand_in.stream(text, first_window=1)))
    view.sync(first, final=False)
    screen.apply(view.message(screen.have, {}))
    row = screen.rows[0]
    assert row["more"] is True, "one sentence translated, two to come"
    assert screen.german()[0] == text.split("\n\n")[0], "the German is whole"
    assert screen.english()[0] == "HIER STEHT ABSATZ 0 MIT SATZ 0 UND MEHR."
    *_, final = stand_in.stream(text)
    view.sync(final, final=True)
    screen.apply(view.message(screen.have, {}))
    assert screen.english() == [p.upper() for p in text.split("\n\n")]
    assert "more" not in screen.rows[0]


def test_a_redraw_the_tab_missed_is_made_up_by_the_next_one(stand_in):
    text = paragraphs(40)
    view, screen = german_view(text), Screen()
    screen.apply(view.message(None, {}))
    partials = list(stand_in.stream(text, first_window=1))
    missed = None
    for i, document in enumerate(partials[:-1]):
        view.sync(document, final=False)
        message = view.message(screen.have, {})
        if i == 2:
            missed = message  # never reached the tab
            continue
        screen.apply(message)
    assert missed and missed["rows"]
    view.sync(partials[-1], final=True)
    screen.apply(view.message(screen.have, {}))
    assert screen.english() == [p.upper() for p in text.split("\n\n")]


def test_a_tab_that_has_nothing_or_another_view_gets_everything(stand_in):
    text = paragraphs(5)
    view = german_view(text)
    *_, final = stand_in.stream(text)
    view.sync(final, final=True)
    for have in (None, {}, {"view": "other", "seq": 3}, {"view": view.view, "seq": -1}):
        message = view.message(have, {})
        assert message["base"] is None and len(message["rows"]) == 5
    settled = view.message({"view": view.view, "seq": view.seq}, {})
    assert settled["base"] == view.seq and settled["rows"] == []


def test_new_settings_keep_the_previous_english_until_the_new_rows_arrive(stand_in):
    text = paragraphs(6)
    view, screen = german_view(text), Screen()
    *_, final = stand_in.stream(text)
    view.sync(final, final=True)
    screen.apply(view.message(None, {}))
    old = screen.english()
    assert view.follow("other settings") is True
    message = view.message(screen.have, {})
    assert message["rows"] == [], "nothing to resend: the rows stay, now of the old generation"
    screen.apply(message)
    assert screen.english() == old
    assert all(row["g"] < screen.state["g"] for row in screen.rows), "all of them dimmed"
    first = next(iter(stand_in.stream(text, first_window=1)))
    view.sync(first, final=False)
    screen.apply(view.message(screen.have, {}))
    assert [row["g"] == screen.state["g"] for row in screen.rows] == [True] + [False] * 5


def test_the_complete_document_drops_rows_the_german_foresaw_but_did_not_get(stand_in):
    text = paragraphs(3)
    view = ReaderView()
    spans = [p for p, _ in segment(text)]
    view.show_german(text, [*spans, Span(len(text), len(text))])  # one row too many
    view.follow("settings")
    *_, final = stand_in.stream(text)
    view.sync(final, final=True)
    screen = Screen()
    screen.apply(view.message(None, {}))
    assert len(screen.rows) == 3 and screen.state["complete"] is True


def test_replacing_a_sentence_resends_its_row_only(stand_in):
    text = paragraphs(5, sentences=2)
    view, screen = german_view(text), Screen()
    *_, final = stand_in.stream(text)
    view.sync(final, final=True)
    screen.apply(view.message(None, {}))
    updated = stand_in.replace_translation(final, 5, "ANOTHER SENTENCE.")
    view.replace(updated, [2], {5: "HIER STEHT ABSATZ 2 MIT SATZ 1 UND MEHR."})
    message = view.message(screen.have, {})
    assert [index for index, _ in message["rows"]] == [2]
    screen.apply(message)
    assert screen.english()[2] == "HIER STEHT ABSATZ 2 MIT SATZ 0 UND MEHR. ANOTHER SENTENCE."
