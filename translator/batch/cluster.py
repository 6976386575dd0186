"""More machines: the same tasks as a Ray Data pipeline over an actor pool of translators.

``translator batch … --ray auto|ADDRESS`` (``pip install translator[ray]``). The driver plans,
skips finished work from the manifest and writes every output and record, exactly as on one
machine; Ray Data carries the tasks (``from_items``) through ``map_batches`` into a pool of
actors, each holding one Translator (loaded once: one actor per GPU, or per ``threads`` CPU
cores), and streams the outcomes back as they finish. Actors run the very function the local
workers run (``work.run_task``), so the bytes written are the same.

Known limits: an actor reads a document from its path, so the inputs must lie where every node
sees them under the same path (a shared file system); a corpus is read by the driver and its
shards travel with the tasks. Each node keeps its own sentence cache (SQLite does not share over
a network file system), so a sentence repeated on two nodes is translated on both. There is no
per-sentence progress from the actors: the bar moves as tasks finish. Ray runs its workers at
nice 15, so on a machine busy with other work they yield to it (``RAY_worker_niceness=0`` when
Ray starts gives them normal priority).
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..errors import InputError
from .local import ProgressSink
from .work import Outcome, Settings, Task, load, run_task


class RayExecutor:
    """Tasks through a Ray Data actor pool; connects to (or starts) Ray on ``__enter__``."""

    def __init__(self, settings: Settings, address: str, workers: int | None = None) -> None:
        self.settings = settings
        self.address = address
        self.workers = workers
        self.owned = False  # whether this run started Ray (and so shuts it down)
        self.resources: dict[str, float] = {}
        self.count = 1
        self.probe: Any = None

    def __enter__(self) -> RayExecutor:
        try:
            import ray
        except ImportError as error:
            raise InputError(
                "--ray needs Ray: pip install 'translator[ray]' (or ray[data])"
            ) from error
        if not ray.is_initialized():
            ray.init(
                address=None if self.address == "auto" else self.address,
                logging_level=logging.WARNING,
                log_to_driver=True,
            )
            self.owned = True
        import ray.data

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        gpus = int(ray.cluster_resources().get("GPU", 0))
        cpus = int(ray.cluster_resources().get("CPU", 1))
        if gpus and self.settings.device in ("auto", "cuda"):
            self.resources = {"num_gpus": 1}
            self.settings = replace(self.settings, device="cuda")
            self.count = self.workers or gpus
        else:
            threads = self.settings.threads or 1
            self.settings = replace(self.settings, threads=threads)
            self.resources = {"num_cpus": threads}
            self.count = self.workers or max(1, cpus // threads)
        self.probe = ray.remote(_Probe).options(**self.resources).remote(self.settings)
        return self

    def __exit__(self, *exc: object) -> None:
        import ray

        self._release_probe()
        if self.owned:
            ray.shutdown()

    def _release_probe(self) -> None:
        import ray

        if self.probe is not None:
            ray.kill(self.probe)
            self.probe = None

    def signature(self) -> str:
        """What the actors will load, asked of one actor with their resources (started on
        ``__enter__``, so it loads while the driver plans)."""
        import ray

        try:
            return ray.get(self.probe.signature.remote())
        finally:
            self._release_probe()  # its CPUs or GPU go to the pool

    def run(self, tasks: list[Task], progress: ProgressSink) -> Iterator[Outcome]:
        if not tasks:
            return
        import ray.data

        items = [{"task": pickle.dumps(task)} for task in tasks]
        dataset = ray.data.from_items(items).map_batches(
            _Translate,
            fn_constructor_kwargs={"settings": self.settings},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=min(self.count, len(tasks))),
            **self.resources,
        )
        for row in dataset.iter_rows():
            yield pickle.loads(row["outcome"])


class _Probe:
    def __init__(self, settings: Settings) -> None:
        self.translator = load(settings)

    def signature(self) -> str:
        return self.translator.signature()


class _Translate:
    """A Ray Data actor: one Translator, loaded when the actor starts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.translator = load(settings)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[bytes]]:
        outcomes = []
        for blob in batch["task"]:
            outcome = run_task(self.translator, pickle.loads(blob), self.settings.cache)
            outcomes.append(pickle.dumps(outcome))
        return {"outcome": outcomes}
