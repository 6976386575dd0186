"""Gold word alignments: three line-parallel files read into sentence pairs with sure and
possible links, every way a file can be wrong a one-line ``GoldFormatError``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..files import read_capped

Link = tuple[int, int]  # (source token, target token)


class GoldFormatError(ValueError):
    """A gold file that can't be read as tokenised sentences with ``i-j``/``ipj`` links."""


@dataclass(frozen=True, slots=True)
class GoldPair:
    """One tokenised sentence pair with its gold links (``possible`` excludes the sure ones)."""

    source: list[str]
    target: list[str]
    sure: frozenset[Link]
    possible: frozenset[Link]


def parse_links(
    line: str, n_source: int, n_target: int, *, one_based: bool = False, where: str = "links"
) -> tuple[set[Link], set[Link]]:
    """(sure, possible) links of one line; a link given both ways counts as sure."""
    sure: set[Link] = set()
    possible: set[Link] = set()
    first = 1 if one_based else 0
    for item in line.split():
        separator = "-" if "-" in item else "p"
        parts = item.split(separator)
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise GoldFormatError(
                f"{where}: bad link {item!r}: expected i-j (sure) or ipj (possible)"
            )
        s, t = int(parts[0]) - first, int(parts[1]) - first
        if s < 0 or t < 0:
            raise GoldFormatError(f"{where}: link {item!r} has index 0, but --one-based was given")
        if s >= n_source or t >= n_target:
            hint = "" if one_based else "; are the links 1-based (--one-based)?"
            raise GoldFormatError(
                f"{where}: link {item!r} points past the sentence "
                f"({n_source} source, {n_target} target tokens){hint}"
            )
        (sure if separator == "-" else possible).add((s, t))
    return sure, possible - sure


MAX_GOLD_BYTES = 64 * 2**20  # per gold file: far more than any alignment test set


def _read_lines(path: str | Path, encoding: str) -> list[str]:
    """A gold file's lines (a device, or a file past ``MAX_GOLD_BYTES``: ``GoldFormatError``)."""
    try:
        return read_capped(path, MAX_GOLD_BYTES, "the gold file").decode(encoding).splitlines()
    except InputError as error:
        raise GoldFormatError(str(error)) from error


def read_gold(
    source: str | Path,
    target: str | Path,
    links: str | Path,
    *,
    one_based: bool = False,
    limit: int | None = None,
    encoding: str = "utf-8",
) -> list[GoldPair]:
    """Sentence pairs and gold links from three line-parallel files."""
    texts = [_read_lines(p, encoding) for p in (source, target, links)]
    counts = [len(lines) for lines in texts]
    if len(set(counts)) != 1:
        raise GoldFormatError(
            f"the files differ in length: {counts[0]} source, {counts[1]} target and "
            f"{counts[2]} link lines"
        )
    pairs = []
    for number, (german, english, line) in enumerate(zip(*texts, strict=True), start=1):
        if limit is not None and len(pairs) >= limit:
            break
        src, tgt = german.split(), english.split()
        sure, possible = parse_links(
            line, len(src), len(tgt), one_based=one_based, where=f"{links}:{number}"
        )
        pairs.append(GoldPair(src, tgt, frozenset(sure), frozenset(possible)))
    return pairs
