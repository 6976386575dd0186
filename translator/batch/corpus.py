"""Corpora: tables of German texts (JSONL, CSV/TSV, Parquet), translated row by row in shards.

A corpus is read once to plan it: its text column is cut into shards of consecutive rows, each
shard a unit of work of its own (so a kill loses at most the shards in flight). A shard's rows
are joined into one text with each row as a fixed paragraph, so the engine batches sentences
across rows, and each row's English comes back from its own paragraph; a row's translation
depends on its text alone, never on its neighbours or on where the shard boundaries fall. When
every shard is done, the corpus is read again and written in its own format with the English
column added (and, when asked, a column of JSON with each sentence's words, links and scores);
every other column is carried through as it was.

pyarrow (for Parquet) is imported only when a Parquet corpus is read or written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..document import Document, Sentence, sentence_to_dict
from ..errors import InputError
from ..formats.base import join_units, unit_english, unit_paragraphs

KINDS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv", ".parquet": "parquet"}
SHARD_ROWS = 256  # rows per unit of work: small enough to lose little, large enough to batch
SHARD_CHARACTERS = 100_000  # …and at most this much text (rows may be whole articles)

Translate = Callable[[str, list], Document]  # (text, units) → Document


def kind_of(name: str) -> str | None:
    """``jsonl``, ``csv`` or ``parquet`` for a corpus file name, else None."""
    lower = name.lower()
    return next((kind for ext, kind in KINDS.items() if lower.endswith(ext)), None)


def details_column(english_column: str) -> str:
    return f"{english_column}_details"


# -- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Table:
    """A read corpus: its kind, its column names, its rows (as the format holds them)."""

    kind: str
    columns: list[str]
    rows: Any  # jsonl: list of dicts; csv: list of lists; parquet: a pyarrow Table
    delimiter: str = ","

    def texts(self, column: str) -> list[str | None]:
        """The column's values: strings, or None for a missing or non-text value."""
        if self.kind == "parquet":
            values = self.rows.column(column).to_pylist()
        elif self.kind == "jsonl":
            values = [row.get(column) for row in self.rows]
        else:
            index = self.columns.index(column)
            values = [row[index] if index < len(row) else None for row in self.rows]
        return [v if isinstance(v, str) else None for v in values]


def read_table(name: str, data: bytes, text_column: str, english_column: str) -> Table:
    """The corpus in ``data``; ``InputError`` for an unreadable file or a missing text column,
    or one that already has the English column."""
    kind = kind_of(name)
    if kind == "parquet":
        table = _read_parquet(name, data)
    elif kind == "jsonl":
        table = _read_jsonl(name, data)
    elif kind == "csv":
        table = _read_csv(name, data)
    else:
        raise InputError(f"{name} is not a corpus (.jsonl, .csv, .tsv or .parquet)")
    if text_column not in table.columns:
        shown = ", ".join(table.columns[:12]) or "none"
        raise InputError(
            f"{name} has no column {text_column!r} (its columns: {shown}): "
            "name the German text's column with --text-column"
        )
    for column in (english_column, details_column(english_column)):
        if column in table.columns:
            raise InputError(
                f"{name} already has a column {column!r}: name the English column with "
                "--english-column"
            )
    return table


def _read_parquet(name: str, data: bytes) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise InputError(f"{name} is not a readable Parquet file ({error})") from error
    return Table("parquet", list(table.column_names), table)


def _read_jsonl(name: str, data: bytes) -> Table:
    text = _decode(name, data)
    rows: list[dict[str, Any]] = []
    columns: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            raise InputError(f"{name}, line {number}, is not JSON ({error.args[0]})") from error
        if not isinstance(row, dict):
            raise InputError(f"{name}, line {number}, is not a JSON object")
        rows.append(row)
        columns.update(dict.fromkeys(row))
    return Table("jsonl", list(columns), rows)


def _read_csv(name: str, data: bytes) -> Table:
    text = _decode(name, data)
    delimiter = "\t" if name.lower().endswith(".tsv") else _delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise InputError(f"{name} is not a readable CSV file ({error})") from error
    if not rows:
        raise InputError(f"{name} is empty: a CSV corpus needs a header row")
    width = len(rows[0])
    for number, row in enumerate(rows[1:], 2):
        if len(row) > width:
            raise InputError(
                f"{name}, row {number}, has {len(row)} cells but the header only {width}"
            )
    return Table("csv", rows[0], rows[1:], delimiter)


def _delimiter(text: str) -> str:
    """Comma, unless the header row is clearly cut by semicolons, tabs or bars (spreadsheets)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} is not UTF-8 (byte {error.start}): save the corpus as UTF-8"
        ) from error


# -- shards ----------------------------------------------------------------------------------


def shards(
    texts: Sequence[str | None],
    rows: int = SHARD_ROWS,
    characters: int = SHARD_CHARACTERS,
) -> list[tuple[int, int]]:
    """Row ranges ``[start, end)`` of at most ``rows`` rows and (past the first row) at most
    ``characters`` characters; a function of the texts alone, so a rerun finds the same ones."""
    found = []
    start, size = 0, 0
    for index, text in enumerate(texts):
        length = len(text or "")
        if index > start and (index - start >= rows or size + length > characters):
            found.append((start, index))
            start, size = index, 0
        size += length
    if start < len(texts):
        found.append((start, len(texts)))
    return found


def translate_rows(
    texts: Sequence[str | None], translate: Translate, details: bool
) -> list[list[Any]]:
    """Each row's ``[English, details]``: None for a row without text; a row of only
    whitespace is its own English."""
    wanted = [i for i, t in enumerate(texts) if t is not None and t.strip()]
    results: list[list[Any]] = [[t, None] for t in texts]
    if not wanted:
        return results
    text, units = join_units([texts[i] for i in wanted])  # type: ignore[misc]
    document = translate(text, units)
    for i, unit, paragraph in zip(wanted, units, unit_paragraphs(document, units), strict=True):
        english = unit_english(document, unit, paragraph)
        info = None
        if details:
            sentences = paragraph.sentences if paragraph is not None else []
            # the row's English starts with the row's own leading whitespace
            lead = paragraph.source.start - unit.start if paragraph is not None else 0
            target_shift = lead - (paragraph.target.start if paragraph is not None else 0)
            info = {"sentences": [_local(s, -unit.start, target_shift) for s in sentences]}
        results[i] = [english, info]
    return results


def _local(sentence: Sentence, source_shift: int, target_shift: int) -> dict[str, Any]:
    """A sentence in the row's coordinates: spans into the row's German and its English."""
    record = sentence_to_dict(sentence)
    for key, shift in (("source", source_shift), ("target", target_shift)):
        record[key] = [record[key][0] + shift, record[key][1] + shift]
        words = f"{key}_words"
        record[words] = [[a + shift, b + shift] for a, b in record[words]]
    return record


def part_bytes(results: list[list[Any]]) -> bytes:
    """A finished shard, one JSON line per row."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results).encode("utf-8")


def part_rows(data: bytes) -> list[list[Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


# -- writing ---------------------------------------------------------------------------------


def write_table(
    table: Table, results: Sequence[Sequence[Any]], english_column: str, details: bool
) -> bytes:
    """The corpus in its own format with the English column (and the details column) added."""
    if len(results) != _length(table):
        raise InputError("the corpus changed while it was translated: run the batch again")
    english = [r[0] for r in results]
    info = [r[1] for r in results]
    extra = details_column(english_column)
    if table.kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        out = table.rows.append_column(english_column, pa.array(english, pa.string()))
        if details:
            encoded = [None if i is None else json.dumps(i, ensure_ascii=False) for i in info]
            out = out.append_column(extra, pa.array(encoded, pa.string()))
        sink = io.BytesIO()
        pq.write_table(out, sink)
        return sink.getvalue()
    if table.kind == "jsonl":
        lines = []
        for row, e, i in zip(table.rows, english, info, strict=True):
            row = {**row, english_column: e}
            if details:
                row[extra] = i
            lines.append(json.dumps(row, ensure_ascii=False) + "\n")
        return "".join(lines).encode("utf-8")
    sink_text = io.StringIO(newline="")
    writer = csv.writer(sink_text, delimiter=table.delimiter, lineterminator="\n")
    writer.writerow([*table.columns, english_column, *([extra] if details else [])])
    width = len(table.columns)
    for row, e, i in zip(table.rows, english, info, strict=True):
        cells = [*row, *[""] * (width - len(row)), "" if e is None else e]
        if details:
            cells.append("" if i is None else json.dumps(i, ensure_ascii=False))
        writer.writerow(cells)
    return sink_text.getvalue().encode("utf-8")


def _length(table: Table) -> int:
    return table.rows.num_rows if table.kind == "parquet" else len(table.rows)
