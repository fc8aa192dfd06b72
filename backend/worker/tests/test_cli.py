"""The worker's entry point: what it sets up before anything else loads."""

from __future__ import annotations

import importlib
import multiprocessing
import os
from multiprocessing.queues import Queue


def test_a_worker_process_multiplies_matrices_on_one_thread() -> None:
    """Prefork runs a process per core: BLAS threads of its own in each made them spin against
    each other. A fresh process (as a worker starts) that loads the entry point first."""
    context = multiprocessing.get_context("spawn")
    answers: Queue[tuple[str | None, int]] = context.Queue()
    child = context.Process(target=_load_first, args=(answers,))
    child.start()
    setting, threads = answers.get(timeout=120)
    child.join(timeout=30)
    assert setting == "1"
    assert threads == 1  # no BLAS threads beside the process's own


def _load_first(answers: Queue[tuple[str | None, int]]) -> None:
    import backend.worker.worker.cli  # noqa: F401

    importlib.import_module("numpy")  # OpenBLAS loaded (again) after the entry point

    answers.put((os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task"))))
