"""A vocabulary shortlist for CTranslate2 (``use_vmap``), built from the model's own translations.

With a vocabulary map, each decoding step scores only the target pieces that are plausible for the
batch's source pieces instead of all 58,101, which cuts the output projection — the largest share
of a step's work. The map is built by translating a German corpus with the full vocabulary and
keeping, per source piece, the target pieces that co-occur in its translations most often, plus
the source piece itself where it is also a target piece (names, numbers) and the most frequent
target pieces overall (always candidates).

The corpus that ships with the package (``translator/data/vmap_corpus.de.txt``: UD German GSD,
CC BY-SA 4.0, see the README beside it) is the default; ``translator convert MODEL --vmap FILE``
takes another. Its cost in quality must be measured on text it was not built from
(``benchmarks/speed.py --check-vmap``); CTranslate2 takes the union of the candidates of every
sentence in a batch, so with a shortlist a sentence's output can also depend on its batch-mates.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .convert import write_vmap

CORPUS = Path(__file__).resolve().parent.parent / "data" / "vmap_corpus.de.txt"

PER_SOURCE = 40  # target pieces kept per source piece
COMMON = 300  # most frequent target pieces, always candidates


def build_vmap_lines(
    pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
    *,
    per_source: int = PER_SOURCE,
    common: int = COMMON,
    target_vocabulary: set[str] | None = None,
) -> list[str]:
    """``source piece<TAB>target pieces`` lines, and one line with an empty source for the common
    pieces, from (source pieces, output pieces) of translated sentences."""
    together: dict[str, Counter[str]] = defaultdict(Counter)
    frequency: Counter[str] = Counter()
    for source, target in pairs:
        outputs = set(target)
        frequency.update(target)
        for piece in set(source):
            together[piece].update(outputs)
    lines = ["\t" + " ".join(piece for piece, _ in frequency.most_common(common))]
    for piece in sorted(together):
        if not piece or any(c.isspace() for c in piece):
            continue
        kept = [t for t, _ in together[piece].most_common(per_source)]
        if target_vocabulary is not None and piece in target_vocabulary and piece not in kept:
            kept.append(piece)  # copied through: names, numbers
        lines.append(piece + "\t" + " ".join(kept))
    return lines


def corpus_sentences() -> list[str]:
    """The German sentences that ship with the package for building the map."""
    return [line for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]


def build_vmap(
    backend,
    sentences: Sequence[str] | None = None,
    *,
    beam: int | None = None,
    per_source: int = PER_SOURCE,
    common: int = COMMON,
    batch_size: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Translate ``sentences`` (default: the corpus that ships with the package) with
    ``backend`` (CTranslate2, full vocabulary) and store the map beside its converted model.
    Returns the map's path."""
    if getattr(backend, "vmap", False):
        raise ValueError("build the vocabulary map with the full vocabulary, not with a map")
    codec = backend.codec
    beam = beam or backend.default_beam
    if sentences is None:
        sentences = corpus_sentences()
    encoded = sorted(
        (codec.encode(s).ids for s in dict.fromkeys(sentences) if s.strip()),
        key=len,
    )
    room = backend.max_source_positions - 1
    encoded = [[*ids[:-1][:room], codec.eos_id] for ids in encoded]
    pairs = []
    for start in range(0, len(encoded), batch_size):
        batch = encoded[start : start + batch_size]
        # the engine's own bound (decode.output_limit at its default ratio, 1.5 n + 10)
        limits = [min(math.ceil(1.5 * (len(ids) - 1)) + 10, room) for ids in batch]
        hypotheses = backend.generate(batch, beam=beam, max_new_tokens=limits, details=False)
        for ids, hypothesis in zip(batch, hypotheses, strict=True):
            pairs.append(
                ([codec.pieces[i] for i in ids[:-1]], [codec.pieces[i] for i in hypothesis.ids])
            )
        if progress:
            progress(min(start + batch_size, len(encoded)), len(encoded))
    spm_target = codec.target
    targets = {spm_target.id_to_piece(i) for i in range(spm_target.get_piece_size())}
    targets &= set(codec.vocab)
    lines = build_vmap_lines(pairs, per_source=per_source, common=common, target_vocabulary=targets)
    return write_vmap(backend.model_dir, lines)
