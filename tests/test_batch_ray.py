"""``translator batch --ray``: the same batch on a local Ray instance writes exactly what the
single-machine path writes, with the same manifest, and skips what is done on a rerun.

One Ray instance for the whole module (starting one takes tens of seconds on a busy machine),
two CPUs, the small random model in two actors. Ray runs its workers at nice 15, so beside other
busy processes they get a few percent of a core (a 30-second test took ten minutes beside two
busy loops); here they run at the tests' own priority (``RAY_worker_niceness``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixtures import batch as fx
from translator.batch import translate_many

ray = pytest.importorskip("ray", reason="the Ray path needs ray[data] (requirements-dev.txt)")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CARRIED = ("TRANSLATOR_BACKEND", "TRANSLATOR_CACHE", "TRANSLATOR_CACHE_DIR", "TRANSLATOR_RETRY",
           "TRANSLATOR_CT2_CACHE")  # fmt: skip
NICENESS = "RAY_worker_niceness"


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray instance whose workers import this tree and see the tests' settings."""
    env = {name: os.environ[name] for name in CARRIED if name in os.environ}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(NICENESS, "0")  # read by the raylet ray.init starts
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            logging_level="WARNING",
            runtime_env={"env_vars": {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", **env}},
        )
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """Documents in several formats, and corpora in JSONL and Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = fx.make_folder(tmp_path_factory.mktemp("ray") / "in", files=2)
    fx.write_jsonl(root / "korpus.jsonl", fx.rows(9))
    data = fx.rows(5)
    pq.write_table(
        pa.table({"id": [r["id"] for r in data], "text": [r["text"] for r in data]}),
        root / "sub" / "korpus.parquet",
    )
    return root


def test_the_ray_path_writes_what_the_local_path_writes(local_ray, inputs, model_dir, tmp_path):
    options = {"model": model_dir, "backend": "torch", "details": True, "shard_rows": 4}
    local = translate_many(inputs, tmp_path / "local", **options)
    on_ray = translate_many(inputs, tmp_path / "ray", ray="auto", workers=2, **options)
    assert local.ok and on_ray.ok, on_ray.failed
    assert sorted(on_ray.done) == sorted(local.done) and len(local.done) == 8
    assert on_ray.sentences == local.sentences
    assert fx.same_outputs(fx.outputs(tmp_path / "ray"), fx.outputs(tmp_path / "local"))
    records = fx.manifest(tmp_path / "ray")
    expected = fx.manifest(tmp_path / "local")
    docx = "sub/bericht.en.docx"  # its zip headers carry the time it was written
    for manifest in (records, expected):
        manifest[docx].pop("output_sha256")
    assert records == expected

    again = translate_many(inputs, tmp_path / "ray", ray="auto", **options)
    assert again.ok and not again.done and len(again.skipped) == 8


def test_the_ray_path_reports_a_bad_file_and_goes_on(local_ray, tmp_path):
    source = fx.make_folder(tmp_path / "in", files=1)
    (source / "kaputt.docx").write_bytes(b"PK\x03\x04 not a Word document")
    summary = translate_many(source, tmp_path / "out", ray="auto", translator_factory=fx.stand_in)
    ((name, why),) = summary.failed
    assert name == str(source / "kaputt.docx") and "not a Word document" in why
    assert len(summary.done) == 5
