"""The reader's JSON: what the browser draws, and per word which words light up on hover."""

from __future__ import annotations

import json
import re

from translator.document import (
    COPIED,
    DEGENERATE,
    RETRIED,
    UNTRANSLATED,
    Document,
    Link,
    Paragraph,
    Sentence,
    Span,
)
from translator.reader import reader_js
from translator.reader.payload import build_payload, score_label


def words(text: str, span: Span) -> list[Span]:
    """The word spans (runs of letters, digits, or one punctuation mark) inside ``span``."""
    return [
        Span(m.start(), m.end())
        for m in re.finditer(r"\w+|[^\w\s]", text)
        if span.start <= m.start() and m.end() <= span.end
    ]


def make_document() -> Document:
    """Two paragraphs, three sentences, with 1:n, n:1 and unlinked words, scores, alternatives."""
    source = "Das Haus ist groß. Ich gehe.\n\nGuten Morgen!"
    target = "The house is big. I am going.\n\nGood morning!"
    de = [Span(0, 18), Span(19, 28), Span(30, 43)]
    en = [Span(0, 17), Span(18, 29), Span(31, 44)]
    s0 = Sentence(
        source=de[0],
        target=en[0],
        source_words=words(source, de[0]),  # Das Haus ist groß .
        target_words=words(target, en[0]),  # The house is big .
        links=[Link(0, 0, 0.9), Link(1, 1, 0.8), Link(2, 2, 0.7), Link(3, 3, 0.9), Link(4, 4, 1)],
        word_scores=[-0.1, -0.2, -2.5, -0.3, -0.1],
        uncertain=[2],
        score=-0.25,
        alternatives=["The house is large.", "The house is big.", "  "],
    )
    s1 = Sentence(
        source=de[1],
        target=en[1],
        source_words=words(source, de[1]),  # Ich gehe .
        target_words=words(target, en[1]),  # I am going .
        # "gehe" → "am going" (1:n); "Ich" → "I"; the full stop has no link.
        links=[Link(0, 0, 0.9), Link(1, 1, 0.6), Link(1, 2, 0.7)],
        score=-1.0,
    )
    s2 = Sentence(
        source=de[2],
        target=en[2],
        source_words=words(source, de[2]),  # Guten Morgen !
        target_words=words(target, en[2]),  # Good morning !
        # "Guten Morgen" → "Good" and → "morning" both (n:1 from the English side).
        links=[Link(0, 1, 0.5), Link(1, 1, 0.9), Link(0, 0, 0.8)],
        flags=[],
    )
    document = Document(
        source=source,
        target=target,
        paragraphs=[
            Paragraph(Span(0, 28), Span(0, 29), [s0, s1]),
            Paragraph(Span(30, 43), Span(31, 44), [s2]),
        ],
        signature="test",
    )
    document.check()
    return document


def text_of(items: list) -> str:
    """A row side's text, put back together from the payload's pieces."""
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
            continue
        for piece in item["t"]:
            out.append(piece if isinstance(piece, str) else piece[0])
    return "".join(out)


def drawn_words(items: list) -> dict[int, str]:
    return {
        piece[1]: piece[0]
        for item in items
        if isinstance(item, dict)
        for piece in item["t"]
        if isinstance(piece, list)
    }


def test_each_paragraph_is_one_row_whose_sides_put_back_the_exact_texts():
    document = make_document()
    payload = build_payload(document)
    assert len(payload["rows"]) == 2
    for row, paragraph in zip(payload["rows"], document.paragraphs, strict=True):
        assert text_of(row["de"]) == paragraph.source.of(document.source)
        assert text_of(row["en"]) == paragraph.target.of(document.target)


def test_sentences_are_numbered_in_document_order_on_both_sides():
    payload = build_payload(make_document())
    for side in ("de", "en"):
        numbers = [i["s"] for row in payload["rows"] for i in row[side] if isinstance(i, dict)]
        assert numbers == [0, 1, 2]


def test_word_ids_count_through_the_whole_document_on_each_side():
    payload = build_payload(make_document())
    german = {k: v for row in payload["rows"] for k, v in drawn_words(row["de"]).items()}
    english = {k: v for row in payload["rows"] for k, v in drawn_words(row["en"]).items()}
    assert german == dict(
        enumerate(["Das", "Haus", "ist", "groß", ".", "Ich", "gehe", ".", "Guten", "Morgen", "!"])
    )
    assert english == dict(
        enumerate(
            ["The", "house", "is", "big", ".", "I", "am", "going", ".", "Good", "morning", "!"]
        )
    )
    assert len(payload["de_links"]) == len(german) and len(payload["en_links"]) == len(english)


def test_a_german_word_lights_each_english_word_it_is_linked_to():
    links = build_payload(make_document())["de_links"]
    assert links[1] == [1]  # Haus → house
    assert links[6] == [6, 7]  # gehe → am going (1:n)
    assert links[8] == [9, 10]  # Guten → Good, morning


def test_an_english_word_lights_each_german_word_linked_to_it():
    links = build_payload(make_document())["en_links"]
    assert links[7] == [6]  # going → gehe
    assert links[10] == [8, 9]  # morning → Guten Morgen (n:1)


def test_a_word_without_links_lights_no_word():
    payload = build_payload(make_document())
    assert payload["de_links"][7] == []  # the full stop after "gehe"
    assert payload["en_links"][8] == []


def test_links_never_cross_into_another_sentence():
    payload = build_payload(make_document())
    sentence_of = {}
    for row in payload["rows"]:
        for side in ("de", "en"):
            for item in row[side]:
                if isinstance(item, dict):
                    for word in drawn_words([item]):
                        sentence_of[side, word] = item["s"]
    for german, english_ids in enumerate(payload["de_links"]):
        for english in english_ids:
            assert sentence_of["de", german] == sentence_of["en", english]


def test_low_confidence_words_are_the_engines_uncertain_words_in_document_ids():
    document = make_document()
    document.paragraphs[1].sentences[0].uncertain = [1]
    assert build_payload(document)["en_low"] == [2, 10]  # "is", and "morning" of sentence 2


def test_shading_and_alternatives_are_switches_of_the_payload():
    document = make_document()
    assert build_payload(document)["shade"] is False
    assert build_payload(document, shade=True)["shade"] is True
    assert build_payload(document, alternatives=True)["alternatives"] is True
    assert build_payload(document, complete=False)["complete"] is False


def test_alternatives_leave_out_the_shown_translation_and_blanks():
    sentences = build_payload(make_document())["sentences"]
    assert sentences[0]["alternatives"] == ["The house is large."]
    assert sentences[1]["alternatives"] == []


def test_alternatives_are_at_most_three():
    document = make_document()
    document.paragraphs[0].sentences[0].alternatives = [f"Option {i}." for i in range(5)]
    assert build_payload(document)["sentences"][0]["alternatives"] == [
        "Option 0.",
        "Option 1.",
        "Option 2.",
    ]


def test_a_sentence_label_shows_its_score_or_why_it_has_none():
    document = make_document()
    document.paragraphs[1].sentences[0].flags = [UNTRANSLATED]
    labels = [s["label"] for s in build_payload(document)["sentences"]]
    assert labels[0] == score_label(-0.25) == "score −0.25 · ≈78% per token"
    assert labels[2] == "not translated: the German is shown"
    document.paragraphs[1].sentences[0].flags = [COPIED]
    assert build_payload(document)["sentences"][2]["label"].startswith("copied through")


def test_a_retried_or_doubtful_sentence_says_so_beside_its_score():
    document = make_document()
    first = document.paragraphs[0].sentences[0]
    first.flags = [RETRIED]
    assert build_payload(document)["sentences"][0]["label"] == (
        "decoded twice: the first output looked degenerate · " + score_label(-0.25)
    )
    first.flags = [RETRIED, DEGENERATE]
    sentence = build_payload(document)["sentences"][0]
    assert sentence["label"].startswith("doubtful: looks like a loop")
    assert sentence["flags"] == ["retried", "degenerate"]


def test_a_sentence_without_a_score_has_no_label():
    assert score_label(None) == "" and score_label(float("nan")) == ""


def test_html_in_the_text_travels_as_plain_characters():
    source = "<script>alert(1)</script> und <img src=x onerror=alert(1)>"
    document = Document(
        source=source,
        target=source,
        paragraphs=[
            Paragraph(
                Span(0, len(source)),
                Span(0, len(source)),
                [Sentence(Span(0, len(source)), Span(0, len(source)))],
            )
        ],
    )
    payload = build_payload(document)
    assert text_of(payload["rows"][0]["de"]) == source
    assert "<img src=x onerror=alert(1)>" in json.dumps(payload)


def test_overlapping_or_stray_word_spans_are_left_out_not_drawn_twice():
    document = make_document()
    sentence = document.paragraphs[0].sentences[0]
    sentence.source_words = [Span(0, 3), Span(1, 8), Span(4, 8), Span(40, 42)]
    sentence.links = [Link(1, 0, 1.0), Link(2, 1, 1.0), Link(3, 2, 1.0)]
    payload = build_payload(document)
    row = payload["rows"][0]["de"]
    assert text_of(row) == document.paragraphs[0].source.of(document.source)
    assert list(drawn_words(row).values())[:2] == ["Das", "Haus"]
    assert payload["de_links"][1] == [] and payload["de_links"][2] == [1]


def test_a_document_without_words_is_still_drawn_sentence_by_sentence():
    document = make_document()
    for sentence in document.sentences:
        sentence.source_words, sentence.target_words, sentence.links = [], [], []
    payload = build_payload(document)
    assert payload["de_links"] == [] and payload["en_links"] == []
    assert text_of(payload["rows"][0]["en"]) == "The house is big. I am going."


def test_the_payload_is_plain_json():
    payload = build_payload(make_document(), shade=True, alternatives=True)
    assert json.loads(json.dumps(payload)) == payload


def test_the_reader_script_builds_the_page_without_parsing_html():
    script = reader_js()
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script
    assert "new Function" not in script
    assert "textContent" in script and "createTextNode" in script
