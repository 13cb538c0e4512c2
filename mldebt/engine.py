"""The scan: discover files, analyse each one (extract), reason on the merged facts (project),
merge everything into a `Report`.

A pure function of (tree, Settings): it never reads config, prints or exits (the CLI does).
The per-file work lives in `mldebt.extract`, the cross-file reasoning in `mldebt.project`;
this module only orchestrates them and the worker pool. Being a pure function, a scan whose
inputs are all unchanged loads its report from the cache (`mldebt.cache.report_key`), and
imports neither the rules nor libcst nor networkx.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from mldebt.cache import ResultCache, decoder, report_key, signature, to_plain
from mldebt.discover import Discovery, FileRef, classify, discover
from mldebt.knowledge import alias_map
from mldebt.project import Project
from mldebt.project.graph import build_graph, to_json
from mldebt.project.rubric import score as score_rubric
from mldebt.report import Diagnostic, FileResult, Report
from mldebt.settings import Settings

if TYPE_CHECKING:
    import multiprocessing.context

    from mldebt.extract.analyse import FileAnalyzer, ParseGate

#: Below this many bytes to analyse, starting worker processes costs more than it saves.
MIN_BYTES_FOR_POOL = 2 * 2**20
#: With at least this many results to load from the cache, the few files to analyse are
#: analysed in a forked process meanwhile (`AnalysisAside`); fewer load faster than a fork.
MIN_ENTRIES_TO_OVERLAP = 64

ProgressCallback = Callable[[int, int], None]


#: Whether this process ends after its command (`ends_after_scan`): see `cycle_collection_paused`.
_ENDS_AFTER_SCAN = False


def ends_after_scan() -> None:
    """Say that this process exits once its scan is reported (the command line's does)."""
    global _ENDS_AFTER_SCAN
    _ENDS_AFTER_SCAN = True


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cyclic collector off while cached results load and the project phase reasons:
    both build hundreds of thousands of long-lived objects and almost no cycles, and each full
    collection walks all of them again (measured on pytorch-lightning's warm one-file scan:
    a quarter of the CPU time of loading and of the project phase, for about 2,000 objects
    collected). Parsing is never paused here: it leaves about 2,000 cyclic objects per file,
    and the per-file analysis collects them itself when each file is done (`mldebt.extract.analyse`).

    Back on, the first collection would still walk every object made meanwhile (0.7 s CPU of
    diffusers' one-file scan). A process that ends after its scan (`ends_after_scan`) freezes
    them instead (`gc.freeze`: never walked again, still freed by reference counts); one that
    goes on (a library caller, the tests) keeps its cyclic garbage collectable."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if _ENDS_AFTER_SCAN:
            gc.freeze()
        gc.enable()


def analyzer(root: Path, settings: Settings) -> FileAnalyzer:
    """The per-file analysis (libcst, every rule), imported on first use: commands that never
    scan (`--version`, `--help`, `rules`) must not pay for it."""
    from mldebt.extract.analyse import FileAnalyzer

    return FileAnalyzer(root, settings)


_WORKER: FileAnalyzer | None = None


def _init_worker(root: Path, settings: Settings, gate: ParseGate) -> None:
    global _WORKER
    from mldebt.isolation import prepare_worker

    prepare_worker(root)
    _WORKER = analyzer(root, settings)
    _WORKER.gate = gate  # a big file is parsed alone: its memory and another's would add up


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
    start from a server that has already imported libcst. (multiprocessing is imported here:
    a scan that needs no pool, most warm ones, does not pay for it.)"""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["mldebt.engine", "mldebt.extract.analyse"])
        return context
    return multiprocessing.get_context("spawn")


def analyse_files(
    root: Path, settings: Settings, files: list[FileRef], sizes: list[int], jobs: int
) -> Iterator[FileResult]:
    """Results of `files` (of `sizes` bytes), in this process or, when there are enough bytes
    to parse to repay starting workers, in a pool of `jobs` workers, largest files first so
    that no big file is left alone at the end."""
    if jobs <= 1 or sum(sizes) < MIN_BYTES_FOR_POOL:
        yield from map(analyzer(root, settings).analyse, files)
        return
    from concurrent.futures import ProcessPoolExecutor

    from mldebt.extract.analyse import ParseGate
    from mldebt.isolation import isolated_process_start, stop_pool

    largest_first = [ref for _, ref in sorted(zip(sizes, files), key=lambda pair: -pair[0])]
    chunksize = max(1, min(16, len(files) // (jobs * 8)))
    pool = None
    context = pool_context()
    try:
        with isolated_process_start(root):
            pool = ProcessPoolExecutor(
                max_workers=jobs, mp_context=context, initializer=_init_worker,
                initargs=(root, settings, ParseGate(context, jobs)),
            )
            results = pool.map(_analyse_in_worker, largest_first, chunksize=chunksize)  # starts every process
        yield from results
    except BaseException:  # Ctrl-C, SIGTERM, a closed generator: stop now, not after the queue
        if pool is not None:
            stop_pool(pool)
        raise
    pool.shutdown()


class AnalysisAside:
    """A few files analysed in a forked child while this process loads the others' results
    from the cache: the one-file scan a pre-commit hook runs spends as long on each, and
    two cores do both at once. The child starts with libcst and the rules already imported
    (its parent's), sends its results back through a pipe as the cache's JSON and exits; if
    it fails, `join`
    returns None and the files are analysed here. Linux only (fork is unsafe elsewhere or next
    to other threads, such as the progress bar's)."""

    def __init__(self, analysis: FileAnalyzer, files: list[FileRef]) -> None:
        self.files = files
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            status = 1
            try:
                os.close(read_end)
                payload = json.dumps(to_plain([analysis.analyse(ref) for ref in files])).encode()
                with open(write_end, "wb") as pipe:
                    pipe.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.pipe = open(read_end, "rb")  # noqa: SIM115 - closed by join or cancel

    @staticmethod
    def possible(jobs: int) -> bool:
        return jobs > 1 and sys.platform == "linux" and threading.active_count() == 1

    def join(self) -> list[FileResult] | None:
        """The child's results (None if it failed)."""
        with self.pipe:
            payload = self.pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        return decoder(list[FileResult])(json.loads(payload))

    def cancel(self) -> None:
        self.pipe.close()
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except OSError:
            return


def _per_file_results(
    root: Path, settings: Settings, files: list[FileRef], digests: dict[str, str | None], sizes: dict[str, int],
    jobs: int, cache: ResultCache | None, progress: ProgressCallback | None, ahead: AnalysisAside | None = None,
) -> dict[str, FileResult]:
    """Every file's result: from the cache when its bytes (`digests`) are known, else
    analysed (and cached). `ahead` (`_analysis_ahead`) is used if it analyses exactly the
    files to analyse, else stopped."""
    results: dict[str, FileResult] = {}
    try:
        if cache is not None and not cache.use_generation(settings):
            cache = None
        stored = [ref for ref in files if cache is not None and cache.has(ref.path, ref.kind, digests.get(ref.path))]
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    fresh = sorted(set(files) - set(stored))
    aside = None
    if ahead is not None:
        if ahead.files == fresh and cache is not None:
            aside = ahead
        else:
            ahead.cancel()
    if aside is None and fresh and len(stored) >= MIN_ENTRIES_TO_OVERLAP and AnalysisAside.possible(jobs):
        if sum(sizes[ref.path] for ref in fresh) < MIN_BYTES_FOR_POOL:
            aside = AnalysisAside(analyzer(root, settings), fresh)
    misses = [] if aside is not None else fresh
    done = 0

    def record(result: FileResult, fresh: bool) -> None:
        nonlocal done
        results[result.path] = result
        if fresh and cache is not None:
            cache.store(result)
        done += 1
        if progress is not None:
            progress(done, len(files))

    try:
        if aside is not None:
            import networkx  # noqa: F401 - the project phase's (the analysis never needs it): imported meanwhile
        with cycle_collection_paused():
            for ref in stored:
                cached = cache.load(ref.path, ref.kind, digests[ref.path])
                if cached is None:
                    misses.append(ref)
                else:
                    record(cached, fresh=False)
        if aside is not None:
            analysed, aside = aside.join(), None
            misses += fresh if analysed is None else []
            for result in analysed or ():
                record(result, fresh=True)
    finally:
        if aside is not None:  # interrupted while loading
            aside.cancel()
    with closing(analyse_files(root, settings, misses, [sizes[ref.path] for ref in misses], jobs)) as analysed:
        for result in analysed:
            record(result, fresh=True)
    return results


def _analysis_ahead(
    root: Path, settings: Settings, cache: ResultCache | None, only: list[str] | None, jobs: int,
) -> AnalysisAside | None:
    """The files a scan names (a pre-commit hook's, the ones just edited) analysed aside from
    the start, while this process discovers the tree, hashes and loads the others: when the
    cache's stat index of an earlier scan records none of them with its current signature,
    they changed since (or are new, or were written too recently to be recorded) and will
    need analysing. Only a guess: `_per_file_results` uses the child if it analyses exactly
    the files that miss the cache, and stops it otherwise."""
    if cache is None or not only or len(cache.index) < MIN_ENTRIES_TO_OVERLAP or not AnalysisAside.possible(jobs):
        return None
    refs, size = [], 0
    for path in only:
        kind, known, now = classify(path), cache.index.get(path), signature(root / path)
        if kind is None or now is None or (known is not None and known[1] == now):
            return None  # not a file mldebt reads, or unchanged: the cache decides
        refs.append(FileRef(path, kind))
        size += now[0]
    if size >= MIN_BYTES_FOR_POOL:
        return None
    return AnalysisAside(analyzer(root, settings), sorted(refs))


def _digests(root: Path, files: list[FileRef], cache: ResultCache | None) -> tuple[dict[str, str | None], dict[str, int]]:
    """Each file's content digest (None: not known without the cache, or unreadable) and size."""
    digests: dict[str, str | None] = {}
    sizes: dict[str, int] = {}
    for ref in files:
        if cache is None:
            digests[ref.path], sizes[ref.path] = None, _size(root / ref.path)
        else:
            digests[ref.path], sizes[ref.path] = cache.digest(root, ref.path, ref.kind)
    return digests, sizes


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def scan(
    root: Path | str,
    settings: Settings | None = None,
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    only: Iterable[str] | None = None,
    cache_dir: Path | None = None,
) -> Report:
    """Scan the repository at `root` and return its report. `progress(done, total)` is called
    after each file. With `only` (files or folders relative to `root`, `/` separators) the whole
    repository is still analysed, so that cross-file rules see everything, but the report keeps
    only the files, findings and diagnostics inside those paths. With `cache_dir`, per-file
    results and reports are cached there: a warm scan parses only files that changed, and
    loads the whole report when no input changed."""
    root = Path(root).resolve()
    only = None if only is None else list(only)
    if not root.is_dir():
        raise NotADirectoryError(f"`{root}` is not a directory")
    settings = settings or Settings()
    jobs = jobs or default_jobs()
    cache = ResultCache.open(cache_dir, root) if cache_dir is not None else None
    ahead = _analysis_ahead(root, settings, cache, only, jobs)
    try:
        found = discover(root, settings.exclude, settings.own_code)
        digests, sizes = _digests(root, found.files, cache)
        if cache is not None:
            cache.save_index()
            key = report_key(root, settings, found, digests, only)
            with cycle_collection_paused():
                stored = cache.load_report(key, only, settings) if key is not None else None
            if stored is not None:
                if progress is not None:
                    progress(len(found.files), len(found.files))
                return stored
        start, ahead = ahead, None  # `_per_file_results` joins or stops it
    finally:
        if ahead is not None:
            ahead.cancel()
    results = _per_file_results(root, settings, found.files, digests, sizes, jobs, cache, progress, start)
    with cycle_collection_paused():
        report = _reason(root, settings, found, results, only)
    if cache is not None:
        key = report_key(root, settings, found, {path: r.digest for path, r in results.items()}, only)
        if key is not None:
            cache.store_report(key, only, settings, report)
        cache.prune(len(found.files))
    return report


def _reason(
    root: Path, settings: Settings, found: Discovery, results: dict[str, FileResult], only: Iterable[str] | None,
) -> Report:
    """The project phase on every file's results, and the report of the files in `only`."""
    # Results arrive in the order they were analysed (largest first in a pool, cached ones
    # first): the project phase takes them in path order, so the report is the same whatever
    # the workers and the cache did (the score cites the first finding against a test).
    results = dict(sorted(results.items()))
    project = Project(
        {path: (r.kind, r.facts) for path, r in results.items()},
        found.present,
        found.git_ignores,
        declared_consumers=settings.declared_consumers,
        hyperparameter_aliases=alias_map(settings.hyperparameter_table()),
        shipped=settings.shipped,
    )
    project.graph = build_graph(project)
    finisher = analyzer(root, settings)
    reported = None if only is None else partial(within, scopes=tuple(only))
    finisher.add_project_findings(root, project, results, reported)
    finisher.weigh_demo_findings(project, results)
    finisher.drop_loads_of_own_files(project, results)
    finisher.drop_unconfirmed(project, results)
    skipped = [Diagnostic(s.path, s.kind, s.reason, s.line) for s in found.skipped]
    files = list(results.values())
    if only is not None:
        scopes = tuple(only)
        files = [r for r in files if within(r.path, scopes)]
        skipped = [d for d in skipped if within(d.path, scopes)]
    finisher.add_suppression_findings(root, files)
    report = _merge(files, skipped, settings)
    report.graph, report.graph_data = project.graph, to_json(project.graph)
    every_finding = [f for r in results.values() for f in r.findings]
    report.score = score_rubric(project, every_finding, dict(settings.attest))
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
