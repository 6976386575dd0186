"""The model codec: ids identical to the tokenizer's, offsets that slice back to each piece."""

from __future__ import annotations

import warnings

import pytest

from tests.fixtures.texts import NORMALISED, ORDINARY


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
