"""The stand-in engine runs the real pipeline and translates word by word, exactly."""

from __future__ import annotations

import pytest

from translator import Translator
from translator.testing import StandInBackend

TEXT = "Gestern hat er das Buch gelesen. Die Fans jubelten!\n\nNeuer Absatz am 3. Mai."


def translate(order: str):
    backend = StandInBackend(order)
    document = Translator(backend=backend, cache=False, retry_degenerate=False).translate_text(TEXT)
    document.check()
    return document


def test_stand_in_keeps_order_and_spacing_in_capitals():
    assert translate("keep").target == TEXT.upper()


@pytest.mark.parametrize("order", ["first-to-end", "reverse"])
def test_stand_in_links_each_english_word_to_its_german_word(order):
    document = translate(order)
    for sentence in document.sentences:
        german = [w.of(document.source) for w in sentence.source_words]
        english = [w.of(document.target) for w in sentence.target_words]
        assert sorted(english) == sorted(w.upper() for w in german)
        assert len(sentence.links) == len(english)
        for link in sentence.links:
            assert english[link.target] == german[link.source].upper()


def test_stand_in_moves_the_first_word_to_the_end():
    document = translate("first-to-end")
    assert next(document.pairs())[1] == "HAT ER DAS BUCH GELESEN. GESTERN"


def test_stand_in_rejects_an_unknown_order():
    with pytest.raises(ValueError, match="unknown order"):
        StandInBackend("sideways")
