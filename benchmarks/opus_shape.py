"""A random-weight model of the exact opus-mt-de-en shape, for timing (never for quality).

The real weights can't be downloaded here. A model built from the published config costs the same
per token, provided its SentencePiece models are of realistic size (about 32k pieces per side, so
German words split into as many pieces as with the real tokenizer) and the joint vocabulary has
the real 58,101 entries. The text comes from the German and English message catalogues that ship
with the operating system. Built once into a cache directory and reused.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "benchmarks" / "data" / "opus-mt-de-en"  # the published config, no weights
CACHE = Path(os.environ.get("TRANSLATOR_BENCH_CACHE", Path.home() / ".cache" / "translator-bench"))
CATALOGUES = Path("/usr/share/locale/de/LC_MESSAGES")
_MARKUP = re.compile(r"%[-+ #0-9.]*[a-zA-Z]|<[^>]+>|_|&|\\n|\s+")


def catalogue_pairs() -> list[tuple[str, str]]:
    """(German, English) message pairs from the system's gettext catalogues, cleaned of markup."""
    pairs: dict[str, str] = {}
    for path in sorted(CATALOGUES.glob("*.mo")):
        try:
            with path.open("rb") as handle:
                catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        except (OSError, UnicodeDecodeError):
            continue
        for english, german in catalog.items():
            if not isinstance(english, str) or not isinstance(german, str) or not english:
                continue
            german = _MARKUP.sub(" ", german).strip()
            english = _MARKUP.sub(" ", english).strip()
            if german and english and german != english:
                pairs.setdefault(german, english)
    return list((g, e) for g, e in pairs.items())


def german_sentences(count: int, min_words: int = 6, max_words: int = 40) -> list[str]:
    """Real German sentences of realistic length (ending in . ? or !), longest-first diverse."""
    chosen = [
        g
        for g, _ in catalogue_pairs()
        if g[-1:] in ".?!" and min_words <= len(g.split()) <= max_words and g[:1].isupper()
    ]
    chosen.sort(key=lambda s: (zlib.crc32(s.encode()), s))  # a fixed, well-mixed order
    if len(chosen) < count:
        raise RuntimeError(f"only {len(chosen)} German sentences found under {CATALOGUES}")
    return chosen[:count]


def build_opus_shaped(cache: Path = CACHE) -> Path:
    """The model directory (built on first use, reused after)."""
    directory = cache / "opus-mt-de-en-random"
    if (directory / "model.safetensors").is_file():
        return directory
    from translator.testing import build_random_marian

    config = json.loads((CONFIG / "config.json").read_text("utf-8"))
    pairs = catalogue_pairs()
    partial = cache / "opus-mt-de-en-random.part"
    build_random_marian(
        partial,
        [g for g, _ in pairs],
        [e for _, e in pairs],
        vocab_size=32000,
        config=config,
        total_vocab=config["vocab_size"],
        num_beams=4,
    )
    partial.rename(directory)
    return directory


if __name__ == "__main__":
    print(build_opus_shaped())
