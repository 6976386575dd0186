"""The reader's rows: what the browser draws, and per word which words light up on hover."""

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
from translator.reader.payload import (
    build_payload,
    build_row,
    differing_spans,
    differing_words,
    score_label,
    waiting_row,
)

from .fixtures.reader import sentences_of, text_of


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


def rows_of(payload: dict) -> list[dict]:
    assert [index for index, _ in payload["rows"]] == list(range(payload["total"]))
    return [row for _, row in payload["rows"]]


def words_of(item: dict) -> dict[int, list]:
    """A sentence item's words by number: [text, links(, 1 if low)]."""
    return {p[1]: [p[0], *p[2:]] for p in item["t"] if isinstance(p, list)}


def test_each_paragraph_is_one_row_whose_sides_put_back_the_exact_texts():
    document = make_document()
    rows = rows_of(build_payload(document))
    assert len(rows) == 2
    for row, paragraph in zip(rows, document.paragraphs, strict=True):
        assert text_of(row["de"]) == paragraph.source.of(document.source)
        assert text_of(row["en"]) == paragraph.target.of(document.target)


def test_sentences_are_numbered_in_document_order_on_both_sides():
    rows = rows_of(build_payload(make_document()))
    for side in ("de", "en"):
        assert [item["s"] for item in sentences_of(rows, side)] == [0, 1, 2]


def test_a_row_stands_on_its_own_words_are_numbered_within_their_sentence():
    rows = rows_of(build_payload(make_document()))
    german = [{n: w[0] for n, w in words_of(item).items()} for item in sentences_of(rows, "de")]
    assert german == [
        dict(enumerate(["Das", "Haus", "ist", "groß", "."])),
        dict(enumerate(["Ich", "gehe", "."])),
        dict(enumerate(["Guten", "Morgen", "!"])),
    ]
    document = make_document()
    alone = build_row(document, document.paragraphs[1], 2)
    assert alone == rows[1], "a row is the same whether sent alone or with the document"


def test_a_german_word_lights_each_english_word_it_is_linked_to():
    de = sentences_of(rows_of(build_payload(make_document())), "de")
    assert words_of(de[0])[1] == ["Haus", [1]]  # Haus → house
    assert words_of(de[1])[1] == ["gehe", [1, 2]]  # gehe → am going (1:n)
    assert words_of(de[2])[0] == ["Guten", [0, 1]]  # Guten → Good, morning


def test_an_english_word_lights_each_german_word_linked_to_it():
    en = sentences_of(rows_of(build_payload(make_document())), "en")
    assert words_of(en[1])[2][:2] == ["going", [1]]  # going → gehe
    assert words_of(en[2])[1][:2] == ["morning", [0, 1]]  # morning → Guten Morgen (n:1)


def test_a_word_without_links_lights_no_word():
    rows = rows_of(build_payload(make_document()))
    assert words_of(sentences_of(rows, "de")[1])[2] == [".", []]  # the full stop after "gehe"
    assert words_of(sentences_of(rows, "en")[1])[3] == [".", []]


def test_links_never_cross_into_another_sentence():
    for row in rows_of(build_payload(make_document())):
        for de, en in zip(sentences_of([row], "de"), sentences_of([row], "en"), strict=True):
            assert de["s"] == en["s"]
            english = words_of(en)
            for _, links, *_ in words_of(de).values():
                assert all(n in english for n in links)


def test_low_confidence_words_are_the_engines_uncertain_words():
    document = make_document()
    document.paragraphs[1].sentences[0].uncertain = [1]
    en = sentences_of(rows_of(build_payload(document)), "en")
    low = [[n for n, w in words_of(item).items() if w[2:] == [1]] for item in en]
    assert low == [[2], [], [1]]  # "is", nothing, "morning"


def test_shading_is_not_in_the_payload_the_reader_toggles_it_itself():
    payload = build_payload(make_document())
    assert "shade" not in payload and "shade" not in payload["state"]
    assert build_payload(make_document(), alternatives=True)["state"]["choose"] is True
    assert build_payload(make_document())["state"] == {"g": 0, "complete": True, "choose": False}


def test_alternatives_leave_out_the_shown_translation_and_blanks():
    en = sentences_of(rows_of(build_payload(make_document())), "en")
    assert [a["text"] for a in en[0]["alts"]] == ["The house is large."]
    assert en[1]["alts"] == []


def test_an_alternative_marks_the_words_that_differ_from_the_english_shown():
    en = sentences_of(rows_of(build_payload(make_document())), "en")
    (alternative,) = en[0]["alts"]
    assert [alternative["text"][a:b] for a, b in alternative["marks"]] == ["large"]
    shown, other = "The old bridge is very nice.", "The old bridge is really beautiful today."
    spans = differing_spans(shown, other)
    assert [other[a:b] for a, b in spans] == ["really beautiful today"]
    assert differing_spans(shown, shown) == []


def test_alternatives_are_at_most_three():
    document = make_document()
    document.paragraphs[0].sentences[0].alternatives = [f"Option {i}." for i in range(5)]
    en = sentences_of(rows_of(build_payload(document)), "en")
    assert [a["text"] for a in en[0]["alts"]] == ["Option 0.", "Option 1.", "Option 2."]


def test_a_replaced_sentence_marks_the_words_a_choice_changed():
    document = make_document()
    row = build_row(document, document.paragraphs[0], 0, replaced={0: "The house is large."})
    first = sentences_of([row], "en")[0]
    assert first["diff"] == [3]  # "big" where "large" was
    assert "diff" not in sentences_of([row], "en")[1]
    assert differing_words("a b c", ["a", "x", "c", "d"], [0, 1, 2]) == [1]  # "d" is not drawn


def test_a_sentence_label_says_plainly_how_sure_the_model_was_or_why_it_has_no_score():
    document = make_document()
    document.paragraphs[1].sentences[0].flags = [UNTRANSLATED]
    labels = [s["label"] for s in sentences_of(rows_of(build_payload(document)), "en")]
    assert labels[0] == score_label(-0.25)
    assert labels[0] == "Model confidence: about 78% per word piece (score −0.25)."
    assert labels[2].startswith("Not translated: the model gave nothing back")
    document.paragraphs[1].sentences[0].flags = [COPIED]
    en = sentences_of(rows_of(build_payload(document)), "en")
    assert en[2]["label"].startswith("Copied as it is")


def test_a_retried_or_doubtful_sentence_says_so_beside_its_score():
    document = make_document()
    first = document.paragraphs[0].sentences[0]
    first.flags = [RETRIED]
    label = sentences_of(rows_of(build_payload(document)), "en")[0]["label"]
    assert label == "Translated twice: the first try looked broken. " + score_label(-0.25)
    first.flags = [RETRIED, DEGENERATE]
    sentence = sentences_of(rows_of(build_payload(document)), "en")[0]
    assert sentence["label"].startswith("Doubtful: this looks like a loop")
    assert sentence["flags"] == ["retried", "degenerate"]


def test_a_sentence_without_a_score_has_no_label():
    assert score_label(None) == "" and score_label(float("nan")) == ""


def test_a_paragraph_waiting_for_its_english_is_its_german_and_no_english():
    assert waiting_row("Ein Satz. Noch einer.") == {
        "de": ["Ein Satz. Noch einer."],
        "en": None,
        "g": 0,
    }
    document = make_document()
    row = build_row(document, document.paragraphs[0], 0, waiting=" Noch einer.", generation=3)
    assert row["more"] is True and row["g"] == 3
    assert text_of(row["de"]).endswith("Ich gehe. Noch einer.")


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
    assert text_of(rows_of(payload)[0]["de"]) == source
    assert "<img src=x onerror=alert(1)>" in json.dumps(payload)


def test_overlapping_or_stray_word_spans_are_left_out_not_drawn_twice():
    document = make_document()
    sentence = document.paragraphs[0].sentences[0]
    sentence.source_words = [Span(0, 3), Span(1, 8), Span(4, 8), Span(40, 42)]
    sentence.links = [Link(1, 0, 1.0), Link(2, 1, 1.0), Link(3, 2, 1.0)]
    row = rows_of(build_payload(document))[0]
    assert text_of(row["de"]) == document.paragraphs[0].source.of(document.source)
    german = words_of(sentences_of([row], "de")[0])
    assert german == {0: ["Das", []], 2: ["Haus", [1]]}, "word 1 overlaps, word 3 strays"


def test_a_document_without_words_is_still_drawn_sentence_by_sentence():
    document = make_document()
    for sentence in document.sentences:
        sentence.source_words, sentence.target_words, sentence.links = [], [], []
    rows = rows_of(build_payload(document))
    assert all(words_of(item) == {} for item in sentences_of(rows, "de"))
    assert text_of(rows[0]["en"]) == "The house is big. I am going."


def test_the_payload_is_plain_json():
    payload = build_payload(make_document(), alternatives=True)
    assert json.loads(json.dumps(payload)) == payload


def test_the_reader_script_builds_the_page_without_parsing_html():
    script = reader_js()
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script
    assert "new Function" not in script
    assert "textContent" in script and "createTextNode" in script
