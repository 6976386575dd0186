"""Shared fixtures: a small random Marian model that goes through the real loading code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.recording import RecordingBackend

# One thread for the small test models, in this process and every server or command it starts:
# on a busy two-core machine two OpenMP threads per matmul collapse (10–100× slower), while one
# thread runs a 32-wide model at full speed. Both engines read it (backends.base.usable_cores).
os.environ["OMP_NUM_THREADS"] = "1"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_6c55d004d8009f3d.txt"


@pytest.fixture(scope="session", autouse=True)
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Converted CTranslate2 models go to a temporary cache, never the user's ~/.cache.

    ``auto`` means torch in the tests (``$TRANSLATOR_BACKEND``), also for the page's server.
    """
    directory = tmp_path_factory.mktemp("ct2-cache")
    environment = pytest.MonkeyPatch()
    environment.setenv("TRANSLATOR_CT2_CACHE", str(directory))
    # The reference engine for the shared tests; the CTranslate2 tests name their engine.
    environment.setenv("TRANSLATOR_BACKEND", "torch")
    yield directory
    environment.undo()


@pytest.fixture(scope="session", autouse=True)
def engine_defaults_for_tests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No sentence cache and no retries of degenerate outputs unless a test asks for them.

    Without a cache every test sees the model work, and any cache a test asks for by default
    lives in a temporary directory, never the user's ~/.cache. Random models loop in nearly
    every sentence, so retries would double every translation's cost.
    """
    environment = pytest.MonkeyPatch()
    environment.setenv("TRANSLATOR_CACHE", "off")
    environment.setenv("TRANSLATOR_CACHE_DIR", str(tmp_path_factory.mktemp("sentence-cache")))
    environment.setenv("TRANSLATOR_RETRY", "off")
    yield
    environment.undo()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text("utf-8")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory, seed_text: str) -> Path:
    """A 2-layer Marian model with SentencePiece models trained on the seed article.

    init_std 0.1 makes its (noise) output depend on the input, so mix-ups between sentences show.
    """
    from translator.testing import build_random_marian

    directory = tmp_path_factory.mktemp("tiny-marian")
    return build_random_marian(
        directory, seed_text.splitlines() * 3, vocab_size=800, config={"init_std": 0.1}
    )


@pytest.fixture(scope="session")
def translator(model_dir: Path):
    from translator import Translator

    return Translator(model=str(model_dir), backend="torch")


@pytest.fixture(scope="session")
def ct2_float32(model_dir, ct2_cache):
    """float32: the same arithmetic as the torch engine, so greedy outputs must be identical."""
    from translator import Translator

    return Translator(model=str(model_dir), backend="ctranslate2:float32")


@pytest.fixture(scope="session")
def ct2_int8(model_dir, ct2_cache):
    """The CPU default."""
    from translator import Translator

    return Translator(model=str(model_dir), backend="ctranslate2")


@pytest.fixture()
def recording(translator) -> RecordingBackend:
    return RecordingBackend(translator.backend)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """A small Marian model trained with guided alignment on a synthetic corpus (slow: it trains).

    Every test that uses it is marked ``slow`` (see ``pytest_collection_modifyitems``).
    """
    from tests.fixtures import synthetic_alignment as synthetic

    return synthetic.build(tmp_path_factory.mktemp("synthetic-marian"))


SLOW_FIXTURES = {"trained"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that needs a slow fixture, so ``-m "not slow"`` leaves it out."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
