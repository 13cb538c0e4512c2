"""How close is `mldebt scan` to the cost of parsing alone, and how fast is it when little changed?

Usage: python bench/scan_bench.py PATH [--jobs N] [--repeat K] [--warm-repeat W] [--edit FILE]

Works on a private copy of the repository at PATH (the original is never written to) and
prints, each a median of K runs of the real command as a whole process (start-up included):

- the libcst parse-only floor for the same Python sources and notebooks over N workers, and a
  cold scan (`--no-cache`) against it;
- a warm scan of the unchanged tree (its stored report) against the cold one;
- one file edited, then a warm scan of the whole tree (the per-file cache, one parse and the
  project phase), and then `mldebt scan THAT_FILE` (what a pre-commit hook runs): the file is
  the largest Python module unless `--edit` names one;
- `mldebt --version`, next to `python -c pass` (the interpreter's own start-up, for scale);
- peak memory of all mldebt processes together (the sum of their resident sizes, sampled from
  /proc, workers included) and of the largest single one.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import libcst as cst

from mldebt.discover import FileKind, discover
from mldebt.engine import pool_context
from mldebt.extract.sources import SourceError, decode, notebook_source
from mldebt.settings import load_settings

MLDEBT = [sys.executable, "-P", "-m", "mldebt"]


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
    """Peak of the summed resident size of a process and all its descendants (pool workers are
    children of the forkserver, so getrusage misses them), and the largest single peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.total_kib = 0
        self.largest_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(stat.parent.name)] = int(fields[1])
        mine, frontier = [self.pid], [self.pid]
        while frontier:
            pid = frontier.pop()
            children = [p for p, parent in parents.items() if parent == pid]
            mine += children
            frontier += children
        return mine

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            total = 0
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                total += int(fields.get("VmRSS", "0 kB").split()[0])
                self.largest_kib = max(self.largest_kib, int(fields.get("VmHWM", "0 kB").split()[0]))
            self.total_kib = max(self.total_kib, total)


def run(args: list[str], cwd: Path, command: list[str] = MLDEBT) -> tuple[float, float, PeakMemory]:
    """Wall time, CPU time (user + system of the process and the children it waited for) and
    memory of one whole `mldebt` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen([*command, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with PeakMemory(process.pid) as memory:
        _, err = process.communicate()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 1):
        raise SystemExit(f"mldebt {' '.join(args)} failed: {err.decode(errors='replace')}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, memory


def median_run(args: list[str], cwd: Path, repeat: int, before=None, command=MLDEBT) -> tuple[float, float, PeakMemory]:
    """Median wall and CPU times of `repeat` runs, and the largest memory peak."""
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(run(args, cwd, command))
    return (
        statistics.median(wall for wall, _, _ in runs),
        statistics.median(cpu for _, cpu, _ in runs),
        max((m for _, _, m in runs), key=lambda m: m.total_kib),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warm-repeat", type=int, help="runs of the warm and edit rows (default: --repeat); they are cheap")
    parser.add_argument("--edit", help="the file to edit, relative to PATH (default: the largest Python module)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mldebt-bench-") as scratch:
        root = Path(scratch) / args.path.resolve().name
        shutil.copytree(args.path, root, symlinks=True)
        # A pre-commit hook runs in a git repository, whose top level is the project root: a
        # one-file scan then analyses the whole repository. Without it the file's own folder
        # would be the root and the edit row would time a scan of that folder alone.
        (root / ".git").mkdir(exist_ok=True)
        cache = Path(scratch) / "cache"
        settings = load_settings(root)
        found = discover(root, settings.exclude, settings.own_code)
        size = sum((root / r.path).stat().st_size for r in found.files)
        python = [r for r in found.files if r.kind == FileKind.PYTHON]
        edited = args.edit or max(python, key=lambda r: (root / r.path).stat().st_size).path
        jobs = ["--jobs", str(args.jobs)]

        floor_s = statistics.median(floor(root, found.files, args.jobs) for _ in range(args.repeat))
        warm_repeat = args.warm_repeat or args.repeat
        cold_s, _, cold_memory = median_run(["scan", ".", "--no-cache", "-f", "json", *jobs], root, args.repeat)
        fill = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731 - a cold cache each time
        first_s, _, _ = median_run(["scan", ".", "--cache-dir", str(cache), "-f", "json", *jobs], root, 1, fill)
        warm_s, warm_cpu, warm_memory = median_run(["scan", ".", "--cache-dir", str(cache), "-f", "json", *jobs], root, warm_repeat)
        edits = iter(range(10**6))

        def edit() -> None:
            with open(root / edited, "a", encoding="utf-8") as handle:
                handle.write(f"\n# edited by the benchmark, {next(edits)}\n")

        edited_warm_s, edited_warm_cpu, _ = median_run(
            ["scan", ".", "--cache-dir", str(cache), "-f", "json", *jobs], root, warm_repeat, edit
        )
        edit_s, edit_cpu, _ = median_run(["scan", edited, "--cache-dir", str(cache), "-f", "json", *jobs], root, warm_repeat, edit)
        version_s, _, _ = median_run(["--version"], root, max(args.repeat, 5))
        python_s, _, _ = median_run(["-c", "pass"], root, max(args.repeat, 5), command=[sys.executable])

    mib = 1024
    print(f"repository            {args.path.resolve().name}: {len(found.files)} files ({len(python)} Python), "
          f"{size / 1e6:.1f} MB; {args.jobs} workers; medians of {args.repeat} runs")
    print(f"parse-only floor      {floor_s:.2f} s")
    print(f"cold scan             {cold_s:.2f} s = {cold_s / floor_s:.2f}x the floor (first scan filling the cache "
          f"{first_s:.2f} s)")
    print(f"warm scan             {warm_s:.2f} s = {100 * warm_s / cold_s:.1f} % of cold (CPU {warm_cpu:.2f} s; "
          f"medians of {warm_repeat})")
    print(f"edit + warm scan      {edited_warm_s:.2f} s = {100 * edited_warm_s / cold_s:.1f} % of cold (CPU "
          f"{edited_warm_cpu:.2f} s; the whole tree after one file edited)")
    print(f"edit + scan one file  {edit_s:.2f} s, CPU {edit_cpu:.2f} s ({edited}; medians of {warm_repeat})")
    print(f"mldebt --version      {version_s:.3f} s (python -c pass: {python_s:.3f} s)")
    print(f"peak memory, cold     {cold_memory.total_kib / mib:.0f} MiB all processes together, "
          f"{cold_memory.largest_kib / mib:.0f} MiB the largest one")
    print(f"peak memory, warm     {warm_memory.total_kib / mib:.0f} MiB all processes together")


if __name__ == "__main__":
    main()
