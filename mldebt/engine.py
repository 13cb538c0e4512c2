"""The scan: discover files, analyse each one (extract), reason on the merged facts (project),
merge everything into a `Report`.

A pure function of (tree, Settings): it never reads config, prints or exits (the CLI does).
The per-file work lives in `mldebt.extract`, the cross-file reasoning in `mldebt.project`;
this module only orchestrates them and the worker pool.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

from mldebt.discover import FileRef, discover
from mldebt.extract.analyse import FileAnalyzer
from mldebt.isolation import isolated_process_start, prepare_worker, stop_pool
from mldebt.knowledge import alias_map
from mldebt.project import Project
from mldebt.project.graph import build_graph
from mldebt.report import Diagnostic, FileResult, Report
from mldebt.settings import Settings

#: Below this many files a process pool costs more than it saves.
MIN_FILES_FOR_POOL = 64

ProgressCallback = Callable[[int, int], None]

_WORKER: FileAnalyzer | None = None


def _init_worker(root: Path, settings: Settings) -> None:
    global _WORKER
    prepare_worker(root)
    _WORKER = FileAnalyzer(root, settings)


def _analyse_in_worker(ref: FileRef) -> FileResult:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER.analyse(ref)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where it exists: fork-safe next to the progress bar's thread, and workers
    start from a server that has already imported libcst."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["mldebt.engine"])
        return context
    return multiprocessing.get_context("spawn")


def analyse_files(
    root: Path, settings: Settings, files: list[FileRef], jobs: int
) -> Iterator[FileResult]:
    """Results in the order of `files`, in this process or in a pool of `jobs` workers."""
    if jobs <= 1 or len(files) < MIN_FILES_FOR_POOL:
        analyzer = FileAnalyzer(root, settings)
        yield from map(analyzer.analyse, files)
        return
    pool = None
    try:
        with isolated_process_start(root):
            pool = ProcessPoolExecutor(
                max_workers=jobs, mp_context=pool_context(), initializer=_init_worker, initargs=(root, settings)
            )
            results = pool.map(_analyse_in_worker, files, chunksize=16)  # starts every process
        yield from results
    except BaseException:  # Ctrl-C, SIGTERM, a closed generator: stop now, not after the queue
        if pool is not None:
            stop_pool(pool)
        raise
    pool.shutdown()


def scan(
    root: Path | str,
    settings: Settings | None = None,
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    only: Iterable[str] | None = None,
) -> Report:
    """Scan the repository at `root` and return its report. `progress(done, total)` is called
    after each file. With `only` (files or folders relative to `root`, `/` separators) the whole
    repository is still analysed, so that cross-file rules see everything, but the report keeps
    only the files, findings and diagnostics inside those paths."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"`{root}` is not a directory")
    settings = settings or Settings()
    found = discover(root, settings.exclude)
    results: dict[str, FileResult] = {}
    with closing(analyse_files(root, settings, found.files, jobs or default_jobs())) as analysed:
        for done, result in enumerate(analysed, 1):
            results[result.path] = result
            if progress is not None:
                progress(done, len(found.files))
    project = Project(
        {path: (r.kind, r.facts) for path, r in sorted(results.items())},
        found.present,
        declared_consumers=settings.declared_consumers,
        hyperparameter_aliases=alias_map(settings.hyperparameter_table()),
    )
    project.graph = build_graph(project)
    FileAnalyzer(root, settings).add_project_findings(root, project, results)
    skipped = [Diagnostic(s.path, "skipped", s.reason) for s in found.skipped]
    files = list(results.values())
    if only is not None:
        scopes = tuple(only)
        files = [r for r in files if within(r.path, scopes)]
        skipped = [d for d in skipped if within(d.path, scopes)]
    report = _merge(files, skipped, settings)
    report.graph = project.graph
    return report


def within(path: str, scopes: tuple[str, ...]) -> bool:
    """Whether `path` is one of `scopes` (paths relative to the root, `.` for all) or inside one."""
    return any(scope == "." or path == scope or path.startswith(scope + "/") for scope in scopes)


def _merge(results: Iterable[FileResult], skipped: list[Diagnostic], settings: Settings) -> Report:
    results = sorted(results, key=lambda r: r.path)
    findings = sorted(
        (f for r in results for f in r.findings),
        key=lambda f: (f.path, -1 if f.cell is None else f.cell, f.line, f.column, f.rule, f.message),
    )
    diagnostics = [d for r in results for d in r.diagnostics]
    diagnostics += skipped
    enabled = settings.enabled_rule_ids()
    return Report(
        files=results,
        findings=findings,
        diagnostics=sorted(diagnostics),
        settings_digest=settings.digest(),
        rules_run=sorted(enabled),
    )
