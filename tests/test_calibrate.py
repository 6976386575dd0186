"""The calibration script: gold-file parsing, and the AER grid on the synthetic guided model."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import synthetic_alignment as synthetic
from translator.align import RULES, AlignmentConfig, corpus_aer
from translator.calibrate import (
    GoldFormatError,
    force_align,
    main,
    parse_links,
    prepare,
    read_gold,
    token_spans,
)

# -- gold files -------------------------------------------------------------------------------


def test_links_split_into_sure_and_possible() -> None:
    sure, possible = parse_links("0-0 1p2 2-1 1p1", 3, 3)
    assert sure == {(0, 0), (2, 1)}
    assert possible == {(1, 2), (1, 1)}


def test_a_link_given_as_both_sure_and_possible_is_sure() -> None:
    sure, possible = parse_links("0-1 0p1", 2, 2)
    assert sure == {(0, 1)}
    assert possible == set()


def test_one_based_links_are_shifted_to_zero_based() -> None:
    assert parse_links("1-1 3p2", 3, 2, one_based=True) == ({(0, 0)}, {(2, 1)})
    with pytest.raises(GoldFormatError, match="index 0"):
        parse_links("0-1", 3, 3, one_based=True)


@pytest.mark.parametrize("item", ["1:2", "a-b", "1-2-3", "1-", "p2", "1x2", "-1-2"])
def test_a_malformed_link_is_a_clear_error(item: str) -> None:
    with pytest.raises(GoldFormatError, match=r"gold\.txt:7: bad link .*i-j \(sure\) or ipj"):
        parse_links(f"0-0 {item}", 5, 5, where="gold.txt:7")


def test_a_link_past_the_sentence_suggests_one_based_indices() -> None:
    with pytest.raises(GoldFormatError, match=r"past the sentence \(2 source, 3 target.*one-based"):
        parse_links("2-0", 2, 3)
    with pytest.raises(GoldFormatError, match="past the sentence") as error:
        parse_links("1-4", 2, 3, one_based=True)
    assert "one-based" not in str(error.value)


def write_gold(directory: Path, source: list[str], target: list[str], links: list[str]) -> list:
    paths = [directory / name for name in ("de.txt", "en.txt", "links.talp")]
    for path, lines in zip(paths, (source, target, links), strict=True):
        path.write_text("".join(line + "\n" for line in lines), "utf-8")
    return paths


def test_gold_files_are_read_line_by_line(tmp_path: Path) -> None:
    paths = write_gold(
        tmp_path,
        ["Das ist gut .", "Ja ."],
        ["That is good .", "Yes ."],
        ["0-0 1-1 2-2 3-3", "0-0 1p1"],
    )
    first, second = read_gold(*paths)
    assert first.source == ["Das", "ist", "gut", "."]
    assert first.sure == {(0, 0), (1, 1), (2, 2), (3, 3)} and not first.possible
    assert second.sure == {(0, 0)} and second.possible == {(1, 1)}
    assert len(read_gold(*paths, limit=1)) == 1


def test_gold_files_of_different_lengths_are_refused(tmp_path: Path) -> None:
    paths = write_gold(tmp_path, ["a b", "c"], ["x y"], ["0-0", "0-0"])
    with pytest.raises(GoldFormatError, match="2 source, 1 target and 2 link lines"):
        read_gold(*paths)


def test_an_error_names_the_file_and_line(tmp_path: Path) -> None:
    paths = write_gold(tmp_path, ["a b", "c d"], ["x y", "z w"], ["0-0", "0-0 1_1"])
    with pytest.raises(GoldFormatError, match=r"links\.talp:2: bad link '1_1'"):
        read_gold(*paths)


def test_gold_files_in_latin1_are_read_with_an_encoding(tmp_path: Path) -> None:
    paths = write_gold(tmp_path, ["Grüße ."], ["Greetings ."], ["0-0 1-1"])
    paths[0].write_bytes("Grüße .\n".encode("latin-1"))
    (pair,) = read_gold(*paths, encoding="latin-1")
    assert pair.source == ["Grüße", "."]


def test_token_spans_cover_each_token_of_the_joined_text() -> None:
    text, spans = token_spans(["Haus", "-", "tür", "."])
    assert text == "Haus - tür ."
    assert [s.of(text) for s in spans] == ["Haus", "-", "tür", "."]


# -- the grid on the synthetic guided model ---------------------------------------------------


@pytest.fixture()
def gold_set(tmp_path: Path, trained: synthetic.Synthetic) -> tuple[list[Path], list]:
    """Twelve held-out pairs as gold files: sure links, plus the comma ↔ first word as possible."""
    examples = trained.held_out[:12]
    lines = []
    for e in examples:
        links = [f"{s}-{t}" for s, t in sorted(e.links)]
        if "," in e.source:
            links.append(f"{e.source.index(',')}p0")
        lines.append(" ".join(links))
    source = [" ".join(e.source) for e in examples]
    target = [" ".join(e.target) for e in examples]
    return write_gold(tmp_path, source, target, lines), examples


def run_main(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with synthetic.single_thread():
        code = main(args, out=out)
    return code, out.getvalue()


def parse_table(output: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = output.splitlines()
    header_at = next(k for k, line in enumerate(lines) if line.split()[:2] == ["rank", "layer"])
    header = lines[header_at].split()
    rows = []
    for line in lines[header_at + 1 :]:
        if line.startswith("best:"):
            break
        fields = line.split()
        row = dict(zip(header, fields[: len(header)], strict=True))
        row["default"] = "*" if fields[len(header) :] == ["*"] else ""
        rows.append(row)
    return lines, rows


def test_the_table_holds_every_setting_once_best_first(
    gold_set: tuple[list[Path], list], trained: synthetic.Synthetic
) -> None:
    (source, target, links), _ = gold_set
    args = ["--model", str(trained.directory), "--source", str(source), "--target", str(target)]
    code, output = run_main([*args, "--links", str(links), "--thresholds", "0,0.3"])
    assert code == 0
    lines, rows = parse_table(output)
    default_threshold = f"{AlignmentConfig().threshold:g}"
    thresholds = sorted({"0", "0.3", default_threshold}, key=float)  # the default is always in
    expected = set(
        itertools.product(
            ["0", "1"],
            ["0", "1", "2", "3", "all"],
            ["unshifted", "shifted"],
            RULES,
            thresholds,
        )
    )
    seen = [(r["layer"], r["heads"], r["rows"], r["rule"], r["threshold"]) for r in rows]
    assert len(seen) == len(expected) == 2 * 5 * 2 * len(RULES) * len(thresholds)
    assert set(seen) == expected
    assert [r["rank"] for r in rows] == [str(k) for k in range(1, len(rows) + 1)]
    aers = [float(r["AER"]) for r in rows]
    assert aers == sorted(aers)
    assert all(0.0 <= a <= 100.0 for a in aers)
    assert all(0.0 <= float(r[k]) <= 100.0 for r in rows for k in ("precision", "recall"))
    (default,) = [r for r in rows if r["default"]]
    assert (default["layer"], default["heads"], default["rows"], default["rule"]) == (
        "1",
        "0",
        "unshifted",
        "grow-diag",
    )
    assert default["threshold"] == default_threshold
    assert lines[0].startswith(f"{trained.directory}: AER (%) on 12 sentence pairs")
    assert lines[-1].startswith("best: AlignmentConfig(layer=")
    # the guided head is what a trained alignment model should be calibrated to
    assert aers[0] < 15.0
    best = rows[0]
    assert best["heads"] in ("0", "all") and best["rows"] == "unshifted"


def test_the_default_cell_is_what_the_reader_would_show(
    gold_set: tuple[list[Path], list], trained: synthetic.Synthetic
) -> None:
    """``all_attention`` in the grid and ``backend.force`` in the reader must agree."""
    from translator import Translator

    (source, target, links), _ = gold_set
    args = ["--source", str(source), "--target", str(target), "--links", str(links)]
    _, output = run_main(["--model", str(trained.directory), *args])
    _, rows = parse_table(output)
    (default,) = [r for r in rows if r["default"]]
    pairs = read_gold(source, target, links)
    with synthetic.single_thread():
        predicted = force_align(Translator(model=str(trained.directory), backend="torch"), pairs)
    expected = corpus_aer(
        [(p.sure, p.possible, links) for p, links in zip(pairs, predicted, strict=True)]
    )
    assert float(default["AER"]) == pytest.approx(expected, abs=0.051)


def test_one_based_files_give_the_same_table(
    gold_set: tuple[list[Path], list], trained: synthetic.Synthetic, tmp_path: Path
) -> None:
    (source, target, links), _ = gold_set
    one_based = tmp_path / "links1.talp"
    shifted_lines = []
    for line in links.read_text("utf-8").splitlines():
        items = []
        for item in line.split():
            separator = "-" if "-" in item else "p"
            s, t = item.split(separator)
            items.append(f"{int(s) + 1}{separator}{int(t) + 1}")
        shifted_lines.append(" ".join(items))
    one_based.write_text("\n".join(shifted_lines) + "\n", "utf-8")
    model = ["--model", str(trained.directory), "--source", str(source), "--target", str(target)]
    options = ["--rules", "grow-diag", "--thresholds", "0.15"]
    _, zero = run_main([*model, "--links", str(links), *options])
    _, one = run_main([*model, "--links", str(one_based), "--one-based", *options])
    assert zero == one
    code, _ = run_main([*model, "--links", str(one_based), *options])
    assert code == 2  # read as 0-based, the last token's links point past the sentence


def test_unreadable_gold_files_exit_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_gold(tmp_path, ["a b"], ["x y"], ["0-0 1~1"])
    args = ["--model", "unused", "--source", str(paths[0]), "--target", str(paths[1])]
    assert main([*args, "--links", str(paths[2])]) == 2
    assert "bad link '1~1'" in capsys.readouterr().err
    assert main([*args, "--links", str(tmp_path / "missing.talp")]) == 2
    assert "missing.talp" in capsys.readouterr().err
    assert main([*args, "--links", str(paths[2]), "--rules", "grow-diag-final"]) == 2
    assert "unknown link rule" in capsys.readouterr().err


def test_a_gold_file_that_is_a_device_or_too_big_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards unbounded reads: a gold file was read whole, whatever it was (/dev/zero: until
    the memory ran out)."""
    paths = write_gold(tmp_path, ["a b"], ["x y"], ["0-0"])
    args = ["--model", "unused", "--source", str(paths[0]), "--target", str(paths[1])]
    assert main([*args, "--links", "/dev/null"]) == 2
    assert "the gold file /dev/null is a device, not a file" in capsys.readouterr().err
    monkeypatch.setattr("translator.calibrate.gold.MAX_GOLD_BYTES", 2048)
    paths[2].write_text("0-0\n" * 1000, "utf-8")
    assert main([*args, "--links", str(paths[2])]) == 2
    assert "is larger than 2 KB" in capsys.readouterr().err


def test_pieces_map_to_the_gold_tokens_not_to_word_spans(trained: synthetic.Synthetic) -> None:
    """A gold token such as ``z.B.`` is one token, though ``word_spans`` makes two words of it."""
    from translator import Translator
    from translator.words import word_spans

    codec = Translator(model=str(trained.directory), backend="torch").backend.codec
    example = trained.held_out[0]
    source = [example.source[0] + ".", *example.source[1:]]
    assert len(word_spans(" ".join(source))) == len(source) + 1
    prepared = prepare(codec, source, example.target)
    owners = [(o,) if isinstance(o, int) else tuple(o or ()) for o in prepared.source_owner]
    assert all(len(o) <= 1 for o in owners)
    assert sorted({w for o in owners for w in o}) == list(range(len(source)))
    assert len(prepared.target_owner) == len(prepared.target_ids)
    assert prepared.target_ids == codec.encode_target(" ".join(example.target))
    assert prepared.source_punctuation[-1] and prepared.target_punctuation[-1]
    assert not prepared.source_punctuation[0]


def test_the_calibration_module_imports_no_torch() -> None:
    code = "import sys, translator.calibrate; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"


def test_calibrating_with_an_engine_that_hides_layers_says_to_use_torch(
    tmp_path: Path, model_dir: Path, ct2_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target, links = write_gold(tmp_path, ["Guten Morgen ."], ["Good morning ."], ["0-0"])
    args = ["--source", str(source), "--target", str(target), "--links", str(links)]
    code, _ = run_main(["--model", str(model_dir), "--backend", "ctranslate2", *args])
    assert code == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--backend torch" in error
