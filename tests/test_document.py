from __future__ import annotations

import pytest

from translator.document import Document, Link, Paragraph, Sentence, Span


def make_document() -> Document:
    source = "Guten Morgen. Wie geht es?\n\nTschüss."
    target = "Good morning. How are you?\n\nBye."
    first = Sentence(
        source=Span(0, 13),
        target=Span(0, 13),
        source_words=[Span(0, 5), Span(6, 12)],
        target_words=[Span(0, 4), Span(5, 12)],
        links=[Link(0, 0, 0.9), Link(1, 1, 0.8)],
        word_scores=[-0.1, -0.5],
        score=-0.3,
        flags=["split"],
        alternatives=["Morning. "],
    )
    return Document(
        source=source,
        target=target,
        signature="model:x@1|engine:torch-float32",
        paragraphs=[
            Paragraph(Span(0, 26), Span(0, 26), [first, Sentence(Span(14, 26), Span(14, 26))]),
            Paragraph(Span(28, 36), Span(28, 32), [Sentence(Span(28, 36), Span(28, 32))]),
        ],
    )


def test_span_rejects_negative_and_reversed_ranges():
    with pytest.raises(ValueError):
        Span(-1, 2)
    with pytest.raises(ValueError):
        Span(3, 2)


def test_span_slices_and_shifts():
    assert Span(6, 12).of("Guten Morgen.") == "Morgen"
    assert Span(1, 2).shift(5) == Span(6, 7)


def test_document_json_round_trip_is_exact():
    document = make_document()
    assert Document.from_json(document.to_json()) == document
    assert Document.from_json(document.to_json(indent=2)) == document


def test_document_json_refuses_an_unknown_schema():
    data = make_document().to_dict()
    data["schema"] = 99
    with pytest.raises(ValueError, match="schema"):
        Document.from_dict(data)


def test_pairs_give_sentence_texts_in_order():
    assert list(make_document().pairs()) == [
        ("Guten Morgen.", "Good morning."),
        ("Wie geht es?", "How are you?"),
        ("Tschüss.", "Bye."),
    ]


def test_check_accepts_a_valid_document():
    make_document().check()


def test_check_finds_an_uncovered_character():
    document = make_document()
    document.paragraphs[1].sentences[0].source = Span(29, 36)
    with pytest.raises(ValueError, match="lies in no sentence"):
        document.check()


def test_check_finds_overlapping_sentences():
    document = make_document()
    document.paragraphs[0].sentences[1].source = Span(10, 26)
    with pytest.raises(ValueError, match="lies in 2 sentences"):
        document.check()


def test_check_finds_a_link_to_a_missing_word():
    document = make_document()
    document.paragraphs[0].sentences[0].links.append(Link(0, 7, 0.5))
    with pytest.raises(ValueError, match="points at no word"):
        document.check()


def test_check_finds_a_word_outside_its_sentence():
    document = make_document()
    document.paragraphs[0].sentences[0].target_words.append(Span(20, 23))
    with pytest.raises(ValueError, match="outside"):
        document.check()


def test_check_finds_a_sentence_without_translation():
    document = make_document()
    document.paragraphs[1].sentences[0].target = Span(30, 30)
    with pytest.raises(ValueError, match="no translation"):
        document.check()


def test_document_metadata_survives_json_and_defaults_to_empty():
    document = make_document()
    assert document.metadata == {} and document.to_dict()["metadata"] == {}
    document.metadata = {"title": "Die Brücke", "url": "https://zeitung.example/bruecke"}
    again = Document.from_json(document.to_json())
    assert again.metadata == document.metadata
    assert again.with_translation(0, "Hello.").metadata == document.metadata
    old = document.to_dict()
    del old["metadata"]  # written before the field existed
    assert Document.from_dict(old).metadata == {}
