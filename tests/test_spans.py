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
