from __future__ import annotations

import warnings

import pytest

ORDINARY = [
    "US-Präsident Donald Trump hat einen Besuch zunächst ausgeschlossen.",
    "Die Beziehung sei weiter „sehr gut“, betonte er am 27. Juni 2019.",
    "Größe: 1,5 Mio. Euro (ca. 3.000 Stück) – z. B. für 14.30 Uhr.",
]


@pytest.fixture(scope="module")
def tokenizer(model_dir):
    from transformers import MarianTokenizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MarianTokenizer.from_pretrained(model_dir)


@pytest.mark.parametrize("text", ORDINARY)
def test_encode_gives_the_tokenizers_ids(translator, tokenizer, text):
    assert translator.backend.codec.encode(text).ids == tokenizer(text)["input_ids"]


@pytest.mark.parametrize("text", ORDINARY)
def test_encode_offsets_slice_back_to_pieces(translator, text):
    codec = translator.backend.codec
    encoded = codec.encode(text)
    pieces = codec.source.encode(text, out_type=str)
    assert encoded.n_pieces == len(pieces) == len(encoded.ids) - 1
    for (start, end), piece in zip(encoded.offsets, pieces, strict=True):
        assert text[start:end].strip() == piece.replace("▁", " ").strip()


def test_encode_treats_a_typed_end_tag_as_text(translator):
    codec = translator.backend.codec
    ids = codec.encode("Ein </s> im Text").ids
    assert ids[-1] == codec.eos_id
    assert codec.eos_id not in ids[:-1]


def test_decode_matches_the_tokenizer(translator, tokenizer):
    codec = translator.backend.codec
    for text in ORDINARY:
        ids = tokenizer(text)["input_ids"] + [codec.pad_id]
        assert codec.decode(ids) == tokenizer.decode(ids, skip_special_tokens=True)


def test_count_excludes_the_end_token(translator):
    codec = translator.backend.codec
    assert codec.count(ORDINARY[0]) == len(codec.encode(ORDINARY[0]).ids) - 1


# -- words and offsets for alignment ------------------------------------------------------------

from translator.spans import is_punctuation, pieces_to_words, word_spans  # noqa: E402

NORMALISED = [
    "Die ﬁnale Entscheidung fällt…",  # ligature and ellipsis: NFKC expands them
    "Etwa ½ Liter Café im Büro",  # fraction; decomposed é below
    "Ein Cafe\u0301 mit\u00a0NBSP\tund Tab",
    "Lachen 🙂 und Weinen 😢!",
    "Ein </s> mitten im Satz",
]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("US-Präsident trifft 3.000 Fans.", ["US-Präsident", "trifft", "3.000", "Fans", "."]),
        ("„Geht's?“, fragte er.", ["„", "Geht's", "?", "“", ",", "fragte", "er", "."]),
        ("Cafe\u0301 🙂", ["Cafe\u0301", "🙂"]),
        ("Ein </s> hier", ["Ein", "<", "/", "s", ">", "hier"]),
        ("  ", []),
    ],
)
def test_word_spans_separate_words_and_marks(text, words):
    assert [w.of(text) for w in word_spans(text)] == words


def test_punctuation_is_only_punctuation():
    assert is_punctuation("„") and is_punctuation(".") and is_punctuation("–")
    assert not is_punctuation("Fans") and not is_punctuation("🙂") and not is_punctuation("")


@pytest.mark.parametrize("text", NORMALISED)
def test_every_piece_lands_on_the_word_at_its_characters(translator, text):
    encoded = translator.backend.codec.encode(text)
    words = word_spans(text)
    owners = pieces_to_words(encoded.offsets, words)
    assert len(owners) == encoded.n_pieces
    covered = set()
    for (start, end), owned in zip(encoded.offsets, owners, strict=True):
        if not owned:
            assert text[start:end].strip() == "", "only whitespace pieces may have no word"
        for owner in owned:
            word = words[owner]
            overlaps = max(start, word.start) < min(end, word.end)
            assert overlaps or (start == end and word.start <= start < word.end)
            covered.add(owner)
    assert covered == set(range(len(words))), "every word gets at least one piece"


@pytest.mark.parametrize("text", [*ORDINARY, *NORMALISED, "Hallo Welt. Ja?"])
def test_decoded_offsets_slice_back_to_each_piece(translator, text):
    codec = translator.backend.codec
    ids = [*codec.encode_target(text), codec.eos_id]
    decoded = codec.decode_with_offsets(ids)
    assert decoded.text == codec.decode(ids)
    assert len(decoded.offsets) == len(ids)
    for token, (start, end) in zip(ids, decoded.offsets, strict=True):
        surface = codec.pieces[token].replace("▁", " ").strip()
        if token in codec.special_ids:
            assert start == end
        elif surface and "⁇" not in decoded.text:
            assert decoded.text[start:end].strip() == surface
