"""One machine: tasks through Translators in this process or in worker processes.

Each worker process loads the model once and then takes one task at a time over its own pipe, so
the driver always knows which task a worker holds: a worker that dies (a crash in a reader, the
kernel's out-of-memory killer) fails that task alone, with the reason, and a new worker takes its
place. Workers ignore Ctrl-C (the driver stops them) and exit on their own when the driver dies,
so a killed run leaves no process behind, and none that could still write.

Processes rather than CTranslate2's ``inter_threads``: the engine's Python stages (segmenting,
describing, aligning, writing) hold the GIL, and processes measured faster (docs/scaling.md).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

from ..errors import TranslatorError
from .work import Outcome, Settings, Task, load, run_task

# (task key, sentences done, sentences in the task)
ProgressSink = Callable[[str, int, int], None]
RESTARTS_PER_WORKER = 5  # workers that die more often than this stop the run (a broken setup)


class InProcess:
    """One Translator in this process: no process start, the model loaded once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.translator: Any = None

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.translator = None

    def signature(self) -> str:
        if self.translator is None:
            self.translator = load(self.settings)
        return self.translator.signature()

    def run(self, tasks: list[Task], progress: ProgressSink) -> Iterator[Outcome]:
        self.signature()
        for task in tasks:

            def report(done: int, total: int, key: str = task.key) -> None:
                progress(key, done, total)

            yield run_task(self.translator, task, self.settings.cache, report)


class ProcessPool:
    """``workers`` processes, each with its own Translator, fed one task at a time."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self.settings = settings
        self.count = workers
        self.context = multiprocessing.get_context("spawn")  # no inherited threads or locks
        self.workers: list[_Worker] = []
        self._signature: str | None = None
        self._restarts = 0

    def __enter__(self) -> ProcessPool:
        self.workers = [self._start() for _ in range(self.count)]  # they load meanwhile
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def _start(self) -> _Worker:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main, args=(theirs, self.settings, os.getpid()), daemon=True
        )
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def signature(self) -> str:
        """The first worker's signature, once it has loaded (all load the same settings)."""
        while self._signature is None:
            ready = wait([w.connection for w in self.workers] + [w.sentinel for w in self.workers])
            for worker in list(self.workers):
                if worker.connection in ready or worker.sentinel in ready:
                    self._receive(worker)
        return self._signature

    def _receive(self, worker: _Worker) -> tuple[str, Any] | None:
        """The worker's next message; a dead worker is replaced (its task fails)."""
        try:
            kind, value = worker.connection.recv()
        except (EOFError, OSError):
            self._replace(worker)
            return ("died", worker.task)
        if kind == "ready":
            worker.ready = True
            if self._signature is None:
                self._signature = value
            elif value != self._signature:
                raise TranslatorError(f"workers loaded different models: {value}")
        elif kind == "failed":  # the model could not be loaded: no worker ever will
            raise TranslatorError(value)
        return kind, value

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        self.workers.remove(worker)
        self._restarts += 1
        if self._restarts > RESTARTS_PER_WORKER * self.count:
            raise TranslatorError("the worker processes keep stopping: see the messages above")
        self.workers.append(self._start())

    def run(self, tasks: list[Task], progress: ProgressSink) -> Iterator[Outcome]:
        queue = list(reversed(tasks))
        busy: dict[_Worker, Task] = {}
        while queue or busy:
            for worker in self.workers:
                if worker.ready and worker not in busy and queue:
                    task = queue.pop()
                    worker.task = task
                    worker.connection.send(task)
                    busy[worker] = task
            waiting = [w.connection for w in self.workers] + [w.sentinel for w in self.workers]
            ready = wait(waiting, timeout=1.0)
            for worker in list(self.workers):
                if worker.connection not in ready and worker.sentinel not in ready:
                    continue
                message = self._receive(worker)
                if message is None:
                    continue
                kind, value = message
                if kind == "progress":
                    progress(busy[worker].key, *value)
                elif kind == "done":
                    del busy[worker]
                    worker.task = None
                    yield value
                elif kind == "died" and worker in busy:
                    task = busy.pop(worker)
                    code = worker.process.exitcode
                    yield Outcome(
                        task.key,
                        error="the worker stopped while translating it (it crashed or ran out "
                        f"of memory; exit status {code})",
                    )


class _Worker:
    def __init__(self, process: Any, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.sentinel = process.sentinel
        self.ready = False
        self.task: Task | None = None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _worker_main(connection: Connection, settings: Settings, parent: int) -> None:
    """A worker process: load once, then translate each task sent, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the driver, which stops us
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    try:
        translator = load(settings)
        connection.send(("ready", translator.signature()))
    except TranslatorError as error:
        connection.send(("failed", str(error)))
        return
    except Exception as error:
        why = f"the model could not be loaded ({type(error).__name__}: {error})"
        connection.send(("failed", why))
        return
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done in (0, total) or now - last[0] > 0.2:  # a few messages a second at most
            last[0] = now
            connection.send(("progress", (done, total)))

    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(("done", run_task(translator, task, settings.cache, report)))


def _exit_with(parent: int) -> None:
    """End this worker when the driver is gone (killed: no one would read its results)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
