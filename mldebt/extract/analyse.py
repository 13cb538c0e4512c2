"""One file in, one `FileResult` out: the per-file phase, run in worker processes.

Each Python source is parsed once and every enabled rule runs in one batched libcst traversal
next to the fact collectors; positions are resolved only for the nodes that findings and facts
point at (STYLE.md §6 measures why). Nothing of a CST leaves this module: results are plain data.
"""

from __future__ import annotations

import ast
import ctypes
import dataclasses
import gc
import hashlib
import re
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from functools import cache
from multiprocessing.context import BaseContext
from pathlib import Path

import libcst as cst
import pathspec

from mldebt.bounded_read import ReadRefused, read_bounded
from mldebt.discover import FileKind, FileRef, is_test_path
from mldebt.extract.collectors import DataAccessCollector, FactCollector, NameCollector
from mldebt.extract.hyperparameters import HyperparameterCollector
from mldebt.extract.checkpoints import CheckpointLoadCollector
from mldebt.extract.config_classes import ConfigClassCollector
from mldebt.extract.context import FileContext
from mldebt.extract.evidence import EvidenceCollector
from mldebt.extract.manifests import document_downloads, manifest_facts
from mldebt.extract.positions import Positions, Span, spans
from mldebt.extract.glue import GlueCollector
from mldebt.extract.reproducibility import ReproducibilityCollector
from mldebt.extract.screen import ALONE_TOKENS, refuse_oversized, refuse_pathological, token_count
from mldebt.extract.sources import (
    PythonSource, SourceError, TextSource, content_digest, decode, notebook_source,
    physical_lines, saved_notebook,
)
from mldebt.extract.walk import walk
from mldebt.project import Project
from mldebt.project.handoffs import own_file_loads
from mldebt.project.rubric import reads_findings_of
from mldebt.registry import all_rules, resolve_selector
from mldebt.report import Diagnostic, FileResult, Finding, RelatedSite
from mldebt.rule import ProjectRule, PythonRule, RawFinding, Severity, SuppressionRule, TextFinding, TextRule
from mldebt.settings import Settings
from mldebt.suppress import Suppressions, invalid_comments, parse_comments

_PYTHON2_HINTS = re.compile(r"^\s*(print\s+[^\s(=]|exec\s+\"|except\s+\w+\s*,\s*\w+\s*:)", re.M)


class _ImportTracker(cst.BatchableCSTVisitor):
    """Adds imports nested in functions or blocks to the alias table as the traversal meets them."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx

    def visit_Import(self, node: cst.Import) -> None:
        self.ctx.add_import(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.ctx.add_import(node)


def _raw_finding(rule, f: TextFinding) -> RawFinding:
    """A text, project or suppression rule's finding, with the rule's defaults filled in."""
    return RawFinding(
        rule.id, f.message, f.hint, f.severity or rule.severity, f.confidence or rule.confidence,
        None, f.line, f.column, f.end_line or f.line, f.end_column, getattr(f, "related", ()),
    )


def _syntax_error(source: PythonSource, error: cst.ParserSyntaxError) -> SourceError:
    """A readable parse diagnostic: CPython's wording (libcst lists every expected token)."""
    line, reason = error.raw_line, "invalid syntax"
    try:
        ast.parse(source.text)
    except SyntaxError as ast_error:
        line, reason = ast_error.lineno or line, ast_error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    if _PYTHON2_HINTS.search(source.text):
        reason += " (this looks like Python 2 code)"
    if source.cell_map and line in source.cell_map:
        line = source.cell_map[line].line
    return SourceError("parse-error", f"syntax error: {reason}; file not analysed", line)


class _Fingerprints:
    """Stable across edits elsewhere in the file: no line number, only the flagged line's text
    (whitespace normalised) and how many findings of the rule came before on equal lines.
    Each line is normalised and hashed once, not once per finding: 20,000 findings on one
    generated 100 KB line took minutes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.normalised: dict[str, str] = {}
        self.prefixes: dict[tuple[str, str], hashlib.blake2b] = {}
        self.occurrences: dict[tuple[str, str], int] = {}

    def next(self, rule_id: str, line_text: str) -> str:
        normalised = self.normalised.get(line_text)
        if normalised is None:
            normalised = self.normalised[line_text] = " ".join(line_text.split())
        key = (rule_id, normalised)
        occurrence = self.occurrences.get(key, 0)
        self.occurrences[key] = occurrence + 1
        prefix = self.prefixes.get(key)
        if prefix is None:
            prefix = self.prefixes[key] = hashlib.blake2b(f"{rule_id}\0{self.path}\0{normalised}\0".encode(), digest_size=8)
        digest = prefix.copy()
        digest.update(str(occurrence).encode())
        return digest.hexdigest()


_STACK_BYTES = 512 * 2**20
_RECURSION_LIMIT = 20_000
#: No cyclic collection while a file is analysed. A parse tree is hundreds of thousands of
#: objects that all live until the file is done, and every collection while it lives walks
#: them again: at the default thresholds (700, 10, 10) 12 % of the per-file CPU time, and still
#: 9 % at (20000, 10, 10) (measured on diffusers; `ast.parse` for positions, whose objects come
#: in bulk, took three times longer with collections on). Trees hold no reference cycles
#: (freed by reference counts); the little cyclic garbage a file leaves is collected when the
#: file is done, from the youngest generation only, which holds just what the file made.


#: After a source of more tokens than this, the memory its tree took is handed back to the
#: system: glibc's allocator keeps it otherwise (measured: 260 MiB still resident after an
#: 80,000-token module was freed, 66 MiB once released), and a worker would hold that while
#: another parses a big source. Smaller sources leave under 100 MiB; releasing after each of
#: them would cost more than it saves.
_RELEASE_TOKENS = ALONE_TOKENS // 2


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none (macOS, musl)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def _release_freed_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextmanager
def _no_collections() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)


@cache
def _deep_stack_thread() -> ThreadPoolExecutor:
    """One thread per process with a 512 MiB stack (virtual memory, committed only when used).

    libcst's native parser and its recursive visitors overflow the default 8 MiB stack on
    deeply nested code and take the process down with a segfault; on this thread they raise
    RecursionError instead, which becomes a diagnostic.
    """
    previous = threading.stack_size(_STACK_BYTES)
    try:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mldebt-analyse")
        executor.submit(sys.setrecursionlimit, max(sys.getrecursionlimit(), _RECURSION_LIMIT)).result()
    finally:
        threading.stack_size(previous)
    return executor


class ParseGate:
    """Who parses at the same time, across worker processes: any number of ordinary sources,
    or one big one (over `ALONE_TOKENS`) and nothing else. A worker's memory grows with the
    tokens it parses, so a big source next to anything else would add up (measured on
    generated code at the caps, all processes together: 547 MiB before, see
    bench/memory_bench.py). Big sources are rare (6 of diffusers' 1,900 modules), so the
    cores they leave idle cost little."""

    def __init__(self, context: BaseContext, workers: int) -> None:
        self._big = context.Lock()
        self._slots = context.Semaphore(workers)
        self._workers = workers

    @contextmanager
    def ordinary(self) -> Iterator[None]:
        if not self._slots.acquire(block=False):
            _release_freed_memory()  # a big source is being parsed: wait holding little
            self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()

    @contextmanager
    def alone(self) -> Iterator[None]:
        with self._big:  # one big source at a time takes the slots, so two never deadlock
            _release_freed_memory()
            for _ in range(self._workers):
                self._slots.acquire()
            try:
                yield
            finally:
                for _ in range(self._workers):
                    self._slots.release()


class FileAnalyzer:
    """Everything one worker needs, built once per worker process (not once per file)."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        #: Shared by the engine's workers (None in one process): see `ParseGate`.
        self.gate: ParseGate | None = None
        enabled = settings.enabled_rule_ids()
        self.rules = [r for r in all_rules() if r.id in enabled]
        self.options = {r.id: settings.options_for(r.id) for r in self.rules}
        self.hyperparameter_table = settings.hyperparameter_table()
        self.data_io_table = settings.data_io_table()
        self.reproducibility_table = settings.reproducibility_table()
        self.per_file_ignores = [
            (pathspec.GitIgnoreSpec.from_lines([glob]), frozenset().union(*map(resolve_selector, selectors)))
            for glob, selectors in settings.per_file_ignores
        ]

    def _rules_for(self, path: str) -> list:
        ignored: set[str] = set()
        for spec, rule_ids in self.per_file_ignores:
            if spec.match_file(path):
                ignored |= rule_ids
        in_tests = is_test_path(path)
        return [r for r in self.rules if r.id not in ignored and (r.in_tests or not in_tests)]

    def analyse(self, ref: FileRef) -> FileResult:
        result = FileResult(ref.path, ref.kind)
        try:
            data = read_bounded(self.root / ref.path, tree=self.root)
        except ReadRefused as refused:
            result.diagnostics.append(Diagnostic(ref.path, refused.kind, refused.message))
            return result
        except FileNotFoundError:
            result.diagnostics.append(Diagnostic(ref.path, "vanished", "file disappeared during the scan"))
            return result
        except OSError as error:
            result.diagnostics.append(Diagnostic(ref.path, "unreadable", f"cannot read: {error.strerror}"))
            return result
        result = self.analyse_bytes(ref, data)
        result.digest = content_digest(data)
        return result

    def analyse_bytes(self, ref: FileRef, data: bytes) -> FileResult:
        """Analyse the content of a file (what `analyse` does after reading it), on a thread
        whose stack is large enough for libcst's recursive parser and visitors."""
        with _no_collections():
            return _deep_stack_thread().submit(self._analyse_bytes, ref, data).result()

    def _analyse_bytes(self, ref: FileRef, data: bytes) -> FileResult:
        result = FileResult(ref.path, ref.kind)
        try:
            text = decode(ref.path, data)
            rules = self._rules_for(ref.path)
            if ref.kind == FileKind.PYTHON:
                source = PythonSource(ref.path, text)
                result.lines = len(source.lines)
                result.facts.saved_notebook = saved_notebook(text)
                self._analyse_python(ref, source, rules, result)
            elif ref.kind == FileKind.NOTEBOOK:
                result.lines = len(physical_lines(text))
                source = notebook_source(ref.path, text)
                self._analyse_python(ref, source, rules, result)
                document_downloads(ref.path, source.markdown_lines, result.facts)
            else:
                source = TextSource(ref.path, ref.kind, text)
                result.lines = len(source.lines)
                self._analyse_text(source, rules, result)
        except SourceError as error:
            result.diagnostics.append(Diagnostic(ref.path, error.kind, error.message, error.line))
        except RecursionError:
            result.diagnostics.append(Diagnostic(ref.path, "too-deep", "nesting too deep to analyse; skipped"))
        except Exception as error:  # noqa: BLE001 - one bad file must never stop the scan
            result.diagnostics.append(
                Diagnostic(ref.path, "internal-error", f"mldebt failed on this file: {type(error).__name__}: {error}")
            )
        return result

    def _analyse_python(self, ref: FileRef, source: PythonSource, rules: list, result: FileResult) -> None:
        self._read_suppressions(source.lines, source.cell_map, result, python=True)
        for warning in source.warnings:
            result.diagnostics.append(Diagnostic(ref.path, warning.kind, warning.message, warning.line))
        refuse_pathological(source)
        tokens = token_count(source.text)
        refuse_oversized(tokens)
        gate = self.gate
        with nullcontext() if gate is None else gate.alone() if tokens > ALONE_TOKENS else gate.ordinary():
            try:
                self._parse_and_walk(ref, source, rules, result)
            finally:
                if tokens > _RELEASE_TOKENS:
                    _release_freed_memory()

    def _parse_and_walk(self, ref: FileRef, source: PythonSource, rules: list, result: FileResult) -> None:
        try:
            module = cst.parse_module(source.text)
        except cst.ParserSyntaxError as error:
            raise _syntax_error(source, error) from None
        ctx = FileContext(ref.path, ref.kind, module, source.lines, source.cell_map)
        visitors = [r(ctx, self.options[r.id]) for r in rules if issubclass(r, PythonRule)]
        collectors = [
            FactCollector(ctx), NameCollector(ctx), HyperparameterCollector(ctx, self.hyperparameter_table),
            DataAccessCollector(ctx, self.data_io_table), ReproducibilityCollector(ctx, self.reproducibility_table),
            EvidenceCollector(ctx), CheckpointLoadCollector(ctx), GlueCollector(ctx), ConfigClassCollector(ctx),
        ]
        try:
            owners: dict[int, cst.CSTNode | None] = {}
            walk(module, [_ImportTracker(ctx), *collectors, *visitors], owners)
            raw = [f for v in visitors for f in v.findings]
            # Code generation of the statements that hold them gives the positions of every node
            # that facts or findings need.
            nodes = {n for c in collectors for n in c.located()} | {f.node for f in raw if f.node is not None}
            lines = {n for c in collectors for n in c.located_lines()}
            positions = spans(module, nodes, source.text, owners, lines) if nodes or lines else Positions()
            for collector in collectors:
                collector.fill(result.facts, positions, module)
            if raw:
                self._collect(source.path, source.lines, raw, result, positions, source)
        finally:
            ctx.close()

    def _analyse_text(self, source: TextSource, rules: list, result: FileResult) -> None:
        if source.kind != FileKind.DOCUMENT:  # prose quotes suppression comments to explain them
            self._read_suppressions(source.lines, {}, result)
        result.facts = manifest_facts(source)
        raw = [
            _raw_finding(rule, f)
            for rule in rules
            if issubclass(rule, TextRule) and source.kind in rule.kinds
            for f in rule(self.options[rule.id]).check(source)
        ]
        if raw:
            self._collect(source.path, source.lines, raw, result, None, None)

    @staticmethod
    def _read_suppressions(lines: list[str], cell_map: dict, result: FileResult, python: bool = False) -> None:
        """Keep the file's suppression comments (for MLD208 after the project phase) and
        report those that cannot work: without codes, or naming no rule."""
        if not any("mldebt:" in line for line in lines):
            return
        comments = parse_comments(lines, python)
        if cell_map:
            comments = [
                dataclasses.replace(c, cell=cell_map[c.line].cell, cell_line=cell_map[c.line].line)
                for c in comments if c.line in cell_map
            ]
        result.suppression_comments = comments
        for comment, message in invalid_comments(comments):
            line, prefix = comment.where()
            result.diagnostics.append(Diagnostic(result.path, "suppression", prefix + message, line))

    def add_project_findings(
        self, root: Path, project: Project, results: dict[str, FileResult], reported: Callable[[str], bool] | None = None,
    ) -> None:
        """Run the project rules on the merged facts; findings land in their file's result,
        through the same suppression and fingerprinting as per-file findings. `reported`: the
        paths whose findings the report keeps (None: all); rules the score does not read are
        told, to spare the others' work (`ProjectRule.reports`)."""
        by_path: dict[str, list[RawFinding]] = defaultdict(list)
        notebooks: dict[str, tuple[dict, dict]] = {}
        for rule in self.rules:
            if issubclass(rule, ProjectRule):
                narrowed = None if reported is None or reads_findings_of(rule.id, rule.category.value) else reported
                for f in rule(self.options[rule.id], narrowed).check(project):
                    if rule in self._rules_for(f.path):
                        related = tuple(self._related_site(root, results, notebooks, p, line) for p, line in f.related)
                        by_path[f.path].append(dataclasses.replace(_raw_finding(rule, f), related=related))
        for path, raw in sorted(by_path.items()):
            self._collect_again(root, results[path], raw)

    def _related_site(
        self, root: Path, results: dict[str, FileResult], notebooks: dict[str, tuple[dict, dict]], path: str, line: int | None
    ) -> RelatedSite:
        """A site a project finding names; facts give a notebook's lines in its virtual
        module, so they are mapped back to the cell and the .ipynb line, as findings are.
        `notebooks` keeps each notebook's (cell map, .ipynb lines) for the next site."""
        if line is None or path not in results or results[path].kind != FileKind.NOTEBOOK:
            return RelatedSite(path, line)
        if path not in notebooks:
            source = self._reread(root, path, FileKind.NOTEBOOK)[1]
            notebooks[path] = (source.cell_map, source.notebook_lines) if source else ({}, {})
        cell_map, file_lines = notebooks[path]
        where = cell_map.get(line)
        if where is None:
            return RelatedSite(path, None)
        return RelatedSite(path, where.line, where.cell, file_lines.get((where.cell, where.line)))

    def add_suppression_findings(self, root: Path, results: list[FileResult]) -> None:
        """Run the suppression rules (MLD208) on each file's comments, once every other
        finding is in; like project findings, they can be suppressed and are fingerprinted."""
        for result in results:
            if not result.suppression_comments:
                continue
            rules = self._rules_for(result.path)
            ran = {r.id for r in rules}
            used = set(result.used_suppressions)
            raw = [
                _raw_finding(rule, f)
                for rule in rules if issubclass(rule, SuppressionRule)
                for f in rule(self.options[rule.id]).check(result.suppression_comments, used, ran.__contains__)
            ]
            if raw:
                self._collect_again(root, result, raw)

    def _collect_again(self, root: Path, result: FileResult, raw: list[RawFinding]) -> None:
        """`_collect` for findings made after the file phase."""
        lines, source = self._reread(root, result.path, result.kind)
        self._collect(result.path, lines, raw, result, None, source)

    @staticmethod
    def _reread(root: Path, path: str, kind: str) -> tuple[list[str], PythonSource | None]:
        """A file's lines (and a notebook's source) for work after the file phase: workers do
        not ship them back, so the few files that need them are read again; nothing is parsed
        again. A file changed since it was analysed gives no lines (findings unsuppressed)."""
        try:
            text = decode(path, read_bounded(root / path, tree=root))
            source = notebook_source(path, text) if kind == FileKind.NOTEBOOK else None
        except (OSError, ReadRefused, SourceError):
            text, source = "", None
        return (source.lines if source is not None else physical_lines(text)), source

    def weigh_demo_findings(self, project: Project, results: dict[str, FileResult]) -> None:
        """Findings in demo code (`Project.demo`) take the severity their rule gives them there
        (`in_demos`), never a higher one than they had, or are dropped; files the config declares
        `shipped` are no demo code. Suppressions were already applied, so a suppression comment
        stays used."""
        by_id = {r.id: r for r in self.rules}
        for path, result in results.items():
            kind = project.demo(path) if result.findings else None
            if kind is None:
                continue
            kept = []
            for finding in result.findings:
                policy = by_id[finding.rule].in_demos
                if kind not in policy:
                    kept.append(finding)
                elif policy[kind] is not None:
                    severity = min(policy[kind], Severity.parse(finding.severity))
                    kept.append(dataclasses.replace(finding, severity=severity.label))
            result.findings = kept

    def drop_unconfirmed(self, project: Project, results: dict[str, FileResult]) -> None:
        """Findings of one file that the rest of the project shows not to hold (`Rule.holds_in`)
        are dropped, after suppressions, as demo findings are."""
        everywhere = PythonRule.holds_in.__func__  # the default: every finding holds
        checked = {r.id: r for r in self.rules if r.holds_in.__func__ is not everywhere}
        for result in results.values():
            if any(f.rule in checked for f in result.findings):
                result.findings = [
                    f for f in result.findings if f.rule not in checked or checked[f.rule].holds_in(project, f)
                ]

    def drop_loads_of_own_files(self, project: Project, results: dict[str, FileResult]) -> None:
        """Findings of rules that do not report loads of the repository's own files
        (`reports_own_files`) on such a load (`mldebt.project.handoffs`) are dropped, after
        suppressions, as demo findings are."""
        quiet = {r.id for r in self.rules if not r.reports_own_files}
        if not quiet:
            return
        for path, places in own_file_loads(project).items():
            result = results[path]
            result.findings = [f for f in result.findings if f.rule not in quiet or (f.cell, f.line) not in places]

    def _collect(
        self,
        path: str,
        lines: list[str],
        raw: list[RawFinding],
        result: FileResult,
        positions: dict[cst.CSTNode, Span] | None,
        source: PythonSource | None,
    ) -> None:
        """Resolve positions, drop suppressed findings, map notebook lines, fingerprint."""
        cell_map = source.cell_map if source is not None else {}
        same_cell = (lambda a, b: cell_map[a].cell == cell_map[b].cell) if cell_map else None
        suppressions = Suppressions(lines, same_cell)
        by_id = {r.id: r for r in self.rules}
        fingerprints = _Fingerprints(path)
        for f in raw:
            if f.node is not None:
                span = positions[f.node]
                line, column, end_line, end_column = span.line, span.column, span.end_line, span.end_column
            else:
                line, column = f.line, f.column
                end_line = f.end_line or line
                text_line = lines[line - 1] if 0 < line <= len(lines) else ""
                end_column = f.end_column if f.end_column is not None else len(text_line)
            rule = by_id[f.rule_id]
            if suppressions.covers(rule.id, rule.name, line):
                result.suppressed += 1
                continue
            line_text = lines[line - 1] if 0 < line <= len(lines) else ""
            fingerprint = fingerprints.next(rule.id, line_text)
            cell = notebook_line = None
            if cell_map:
                start, end = cell_map[line], cell_map.get(end_line, cell_map[line])
                cell, line = start.cell, start.line
                end_line = end.line if end.cell == start.cell else line
                notebook_line = source.notebook_lines.get((cell, line))
            result.findings.append(
                Finding(
                    path=path, line=line, column=column + 1, rule=rule.id,
                    end_line=end_line, end_column=end_column + 1, name=rule.name,
                    category=rule.category.value, severity=f.severity.label,
                    confidence=f.confidence.label, message=f.message, hint=f.hint,
                    fingerprint=fingerprint, cell=cell,
                    notebook_line=notebook_line, related=f.related,
                )
            )
        result.used_suppressions = sorted(set(result.used_suppressions) | suppressions.used)
