"""How close is `mldebt scan` to the cost of parsing alone?

Usage: python bench/scan_bench.py PATH [--jobs N] [--repeat K]

Prints, for the repository at PATH: files and MB scanned, the libcst parse-only time for the
same Python sources and notebooks spread over the same number of worker processes (the floor),
the `mldebt scan` wall time, their ratio, and peak memory (this process and the largest worker).
Each timing is the best of K runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import libcst as cst

from mldebt.discover import FileKind, discover
from mldebt.engine import pool_context, scan
from mldebt.extract.sources import SourceError, decode, notebook_source
from mldebt.settings import load_settings


def parse_only(path: Path, kind: str) -> int:
    """Read, decode and parse one file the way the engine does; the floor's unit of work."""
    try:
        text = decode(str(path), path.read_bytes())
        if kind == FileKind.NOTEBOOK:
            text = notebook_source(str(path), text).text
        cst.parse_module(text)
    except (SourceError, cst.ParserSyntaxError, OSError, RecursionError):
        return 0
    return 1


def _parse_chunk(job: tuple[str, str]) -> int:
    return parse_only(Path(job[0]), job[1])


def floor(root: Path, refs, jobs: int) -> float:
    work = [(str(root / r.path), r.kind) for r in refs if r.kind in FileKind.CODE]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=pool_context()) as pool:
        sum(pool.map(_parse_chunk, work, chunksize=16))
    return time.perf_counter() - start


class PeakMemory:
    """Largest peak RSS (VmHWM) among this process's descendants, sampled from /proc:
    pool workers are children of the forkserver, so getrusage(RUSAGE_CHILDREN) misses them."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _descendants(self) -> list[int]:
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(stat.parent.name)] = int(fields[1])
        mine, frontier = [], [os.getpid()]
        while frontier:
            pid = frontier.pop()
            children = [p for p, parent in parents.items() if parent == pid]
            mine += children
            frontier += children
        return mine

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            for pid in self._descendants():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    root = args.path.resolve()
    settings = load_settings(root)
    found = discover(root, settings.exclude)
    size = sum((root / r.path).stat().st_size for r in found.files)
    code_files = sum(r.kind in FileKind.CODE for r in found.files)
    floor_s = min(floor(root, found.files, args.jobs) for _ in range(args.repeat))
    scan_s = float("inf")
    with PeakMemory() as workers:
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = scan(root, settings, jobs=args.jobs)
            scan_s = min(scan_s, time.perf_counter() - start)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"repository          {root.name}")
    print(f"files scanned       {len(found.files)} ({code_files} Python/notebooks), {size / 1e6:.1f} MB")
    print(f"findings            {len(report.findings)} in {sum(bool(f.findings) for f in report.files)} files; "
          f"{len(report.diagnostics)} diagnostics")
    print(f"workers             {args.jobs}")
    print(f"parse-only floor    {floor_s:.2f} s")
    print(f"mldebt scan         {scan_s:.2f} s")
    print(f"ratio scan/floor    {scan_s / floor_s:.2f}")
    print(f"peak memory         {own:.0f} MiB main process, {workers.peak_kib / 1024:.0f} MiB largest worker"
          " (/proc sampling; Linux only)")


if __name__ == "__main__":
    main()
