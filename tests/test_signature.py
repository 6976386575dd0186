"""The signature line: one field per setting that changes the English, read back by ``parse``."""

from __future__ import annotations

import pytest

from translator.signature import Signature, model_label


def test_format_and_parse_round_trip():
    parts = Signature(
        model="opus-mt-de-en@abc123",
        engine="ctranslate2-int8",
        beam=4,
        max_tokens=200,
        output_ratio=1.5,
        retry="nr3-b4",
        alignment="L-1H0-grow-diag-0.15",
        segmenter="de-rules-2",
    )
    line = parts.format()
    assert line.startswith("model:opus-mt-de-en@abc123|engine:ctranslate2-int8|beam:4|")
    assert Signature.parse(line) == parts


def test_parse_reads_a_signature_of_an_older_version():
    old = "model:x@1|engine:torch-float32|beam:4|max-tokens:200|seg:de-rules-1|translator:0.0.9"
    parts = Signature.parse(old)
    assert (parts.model, parts.beam, parts.segmenter, parts.version) == (
        "x@1",
        4,
        "de-rules-1",
        "0.0.9",
    )
    assert parts.retry == ""  # not recorded then


@pytest.mark.parametrize("line", ["", "hello", "model:x|engine:y", "model:x|engine:y|beam:four"])
def test_parse_refuses_what_is_not_a_signature(line):
    with pytest.raises(ValueError):
        Signature.parse(line)


def test_a_local_model_is_named_by_its_folder_not_its_path(tmp_path):
    folder = tmp_path / "models" / "opus-mt-de-en"
    folder.mkdir(parents=True)
    label = "opus-mt-de-en@local-0123456789ab"
    assert model_label(str(folder), "local-0123456789abcdef") == label
    assert model_label("./opus-mt-de-en/", "local-0123456789abcdef") == label
    assert model_label("C:\\Users\\bob\\opus-mt-de-en", "local-0123456789abcdef") == label
    assert model_label("Helsinki-NLP/opus-mt-de-en", "cafe" * 10) == (
        "Helsinki-NLP/opus-mt-de-en@cafecafecafe"
    )


def test_a_local_folder_name_can_not_break_the_signature_line():
    """Guards the one-line format: a folder named with ``|`` or a line break stays one field."""
    parts = Signature(model=model_label("/m/a|b\nc", "local-0123456789abcdef"), engine="e", beam=1)
    assert Signature.parse(parts.format()) == parts and "\n" not in parts.format()
