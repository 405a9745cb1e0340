"""Work done in a fresh worker process, so the serving process never holds its peak: a
reload's compile (bot.telegram.state) and a large catalog's first parse (bot.catalog.catalog).
The process exits with everything it allocated, fragments included."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def worker_context() -> multiprocessing.context.BaseContext:
    """Where a worker comes from: never a fork of this process (it may have threads and an
    event loop). A fork server is started clean once, with the library's modules imported, and
    forks each later worker from itself: a worker pays Python's start and those imports (a
    second of CPU) once per process instead of once per worker. Spawn where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["bot.conversation.library"])
    return context


def in_worker() -> bool:
    """This process is such a worker (its own work stays here: no worker of a worker)."""
    return multiprocessing.parent_process() is not None


def run_in_worker(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in a fresh worker process; what it raises comes back as it was raised.
    OSError when no worker process can be had (process limits, no /dev/shm)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=worker_context()) as pool:
        return pool.submit(fn, *args).result()
