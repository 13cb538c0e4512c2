"""The processes mldebt starts never import from the current folder or the scanned tree, and
never outlive it.

Python puts the current folder first on `sys.path` of every `python -c` process, and
multiprocessing starts its helpers (the forkserver, the resource tracker) exactly that way:
a scanned repository holding a `multiprocessing/`, `mldebt/` or `libcst/` folder would run its
own code in them when mldebt is run from inside it. Workers then receive the parent's
`sys.path`, which holds the current folder too when mldebt runs as `python -m mldebt`.
So while the pool starts its processes, helpers get `PYTHONSAFEPATH` (no implicit folder) and a
`PYTHONPATH` of the parent's trusted entries, and workers get the same trusted path.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from multiprocessing import forkserver, resource_tracker
from pathlib import Path

import mldebt

#: The folder mldebt itself is imported from: trusted even when it is the current folder
#: (mldebt scanning its own source).
_OWN_ROOT = Path(mldebt.__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1


def trusted_path(scanned_root: Path) -> list[str]:
    """`sys.path` without the current folder and the scanned tree's root (`''` is the current
    folder), except where mldebt itself comes from."""
    untrusted = {Path.cwd().resolve(), scanned_root.resolve()} - {_OWN_ROOT}
    return [entry for entry in sys.path if entry and Path(entry).resolve() not in untrusted]


@contextmanager
def isolated_process_start(scanned_root: Path) -> Iterator[None]:
    """Wrap the start of a process pool: every process started meanwhile (helpers and
    workers) imports only from trusted folders. The parent's path and environment are
    restored afterwards."""
    saved_path = sys.path[:]
    saved_env = {name: os.environ.get(name) for name in ("PYTHONSAFEPATH", "PYTHONPATH")}
    path = trusted_path(scanned_root)
    sys.path[:] = path
    os.environ["PYTHONSAFEPATH"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(path)
    # Processes started with Ctrl-C blocked keep it blocked: the parent alone handles it and
    # stops the pool. (The resource tracker unblocks it in the parent as it starts, so it is
    # started first.)
    resource_tracker.ensure_running()
    saved_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        sys.path[:] = saved_path
        signal.pthread_sigmask(signal.SIG_SETMASK, saved_mask)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def prepare_worker(scanned_root: Path) -> None:
    """First thing a worker does: die with its parent (a killed mldebt must not leave workers
    parsing for minutes) and drop any untrusted folder that reached its path. (Workers and
    helpers start with Ctrl-C blocked, see `isolated_process_start`: the parent stops them.)"""
    sys.path[:] = trusted_path(scanned_root)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: kill the workers, whatever they are parsing (`shutdown` alone waits
    for every queued file). The queued work is forgotten first: `Executor.map` has cancelled
    it, and Python 3.11's pool thread fails on cancelled work with a traceback."""
    # The pool's thread takes a work id from `_work_ids`, then looks it up in the pending
    # items: drain the ids first, or it looks up a cleared id (KeyError, with a traceback).
    work_ids = getattr(pool, "_work_ids", None)
    while work_ids is not None:
        try:
            work_ids.get_nowait()
        except queue.Empty:
            break
    pending = getattr(pool, "_pending_work_items", None)
    if pending is not None:
        pending.clear()
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    # A forkserver still importing would fork the workers asked for after this process is
    # gone, and each would die with a traceback: stop it too (the next pool starts another).
    server_pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if server_pid is not None:
        with suppress(ProcessLookupError):
            os.kill(server_pid, signal.SIGKILL)
    pool.shutdown(wait=True)
