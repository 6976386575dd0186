"""The batch's progress bar: sentences, sentences/s and the time left, on stderr.

A task's sentences are known only once a worker has read and segmented it, so the total is the
sentences of the tasks started so far plus an estimate for the rest: their size (bytes of a file,
characters of a corpus shard) times the sentences per unit of size seen so far. The estimate
settles as tasks start; the ETA follows it.
"""

from __future__ import annotations

import sys
from typing import Any

FIRST_GUESS = 0.01  # sentences per byte before any task is known: about 100 bytes a sentence


class BatchProgress:
    """Counts sentences per task; draws a tqdm bar when ``enabled``."""

    def __init__(self, sizes: dict[str, int], enabled: bool) -> None:
        self.sizes = sizes  # task key → size
        self.totals: dict[str, int] = {}  # task key → its sentences, once known
        self.done: dict[str, int] = {}
        self.known_sentences = 0  # running sums, so a report costs the same for any batch
        self.known_size = 0
        self.rest_size = sum(sizes.values())
        self.done_sentences = 0
        self.tasks = 0
        self.bar: Any = None
        if enabled and sizes:
            from tqdm import tqdm

            self.bar = tqdm(
                total=0, unit="sentence", file=sys.stderr, dynamic_ncols=True, smoothing=0.1
            )

    def __call__(self, key: str, done: int, total: int) -> None:
        """A worker's report: ``done`` of ``total`` sentences of task ``key``."""
        self._know(key, total)
        self._advance(key, done)
        self._draw()

    def finished(self, key: str, sentences: int) -> None:
        """A task is over (done or failed): all its sentences count as done."""
        self._know(key, sentences)
        self._advance(key, self.totals[key])
        self.tasks += 1
        self._draw()

    def _know(self, key: str, total: int) -> None:
        if key not in self.totals:
            self.totals[key] = 0
            size = self.sizes.get(key, 0)
            self.known_size += size
            self.rest_size -= size
        if total > self.totals[key]:
            self.known_sentences += total - self.totals[key]
            self.totals[key] = total

    def _advance(self, key: str, done: int) -> None:
        before = self.done.get(key, 0)
        if done > before:
            self.done[key] = done
            self.done_sentences += done - before

    def estimate(self) -> int:
        """Sentences in all tasks: those known, and the rest by size."""
        if self.rest_size <= 0:
            return self.known_sentences
        per_unit = self.known_sentences / self.known_size if self.known_size else FIRST_GUESS
        return self.known_sentences + round(self.rest_size * per_unit)

    def _draw(self) -> None:
        if self.bar is None:
            return
        self.bar.total = max(self.estimate(), self.done_sentences)
        self.bar.set_postfix_str(f"{self.tasks}/{len(self.sizes)} tasks", refresh=False)
        self.bar.update(self.done_sentences - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
