"""The results of a scan as plain data: what workers send back and what reporters read.

`Report.to_dict()` is the JSON contract (`SCHEMA_VERSION`); field names here are public.
Everything is sorted so the same tree gives byte-identical output whatever the worker count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mldebt import __version__
from mldebt.extract.facts import Facts
from mldebt.project.glue import glue_summary
from mldebt.suppress import SuppressionComment

#: 1.1: notebook findings add `notebook_line`; a related site in a notebook has `cell`, its
#: line within that cell and `notebook_line` (its `line` was null in 1.0).
SCHEMA_VERSION = "1.1"


@dataclass(frozen=True)
class RelatedSite:
    """Another site a cross-file finding names. In a notebook, as for findings, `line` is
    within `cell` and `notebook_line` is the line of the .ipynb file that holds it."""

    path: str
    line: int | None
    cell: int | None = None
    notebook_line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "line": self.line}
        if self.cell is not None:
            data.update(cell=self.cell, notebook_line=self.notebook_line)
        return data


@dataclass(frozen=True)
class Finding:
    """One finding. Lines are 1-based; columns are 1-based and `end_column` is exclusive.

    For notebooks, `cell` is the 0-based index into the notebook's `cells` array (markdown
    cells counted) and the lines are relative to that cell.
    """

    path: str
    line: int
    column: int
    rule: str
    end_line: int
    end_column: int
    name: str
    category: str
    severity: str
    confidence: str
    message: str
    hint: str | None
    fingerprint: str
    cell: int | None = None
    #: For notebooks: the line of the .ipynb file that holds the finding's first line (for SARIF).
    notebook_line: int | None = None
    #: Other sites a cross-file finding names.
    related: tuple[RelatedSite, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity,
            "confidence": self.confidence,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "hint": self.hint,
            "fingerprint": self.fingerprint,
        }
        if self.cell is not None:
            data.update(cell=self.cell, notebook_line=self.notebook_line)
        if self.related:
            data["related"] = [site.to_dict() for site in self.related]
        return data


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A file mldebt could not (fully) read, and why: never a finding, never a crash."""

    path: str
    kind: str
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "kind": self.kind, "message": self.message}
        if self.line is not None:
            data["line"] = self.line
        return data


@dataclass
class FileResult:
    """What the file phase yields for one file: plain data, picklable, no CST nodes."""

    path: str
    kind: str
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: int = 0
    lines: int = 0
    facts: Facts = field(default_factory=Facts)
    #: `content_digest` of the bytes analysed ('' if unread): what the results cache keys on.
    digest: str = ""
    #: The file's suppression comments, and (comment line, code) of each code that suppressed
    #: a finding: after the project phase, MLD208 reports the others.
    suppression_comments: list[SuppressionComment] = field(default_factory=list)
    used_suppressions: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Report:
    files: list[FileResult]
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    settings_digest: str
    rules_run: list[str]
    #: The data/model dependency graph (a networkx DiGraph), set by the engine; None on a
    #: report loaded from the cache, which has only its JSON.
    graph: Any = None
    #: The graph as node-link JSON (`mldebt.project.graph.to_json`): what the JSON report holds.
    graph_data: dict[str, Any] | None = None
    #: What `--baseline` hid and which of its entries match nothing (`mldebt.baseline`).
    baseline: Any = None
    #: The project root relative to the repository's top level (`/` separators, "" when they
    #: are the same): code scanning wants paths from the repository root.
    repository_prefix: str = ""
    #: The ML Test Score (`mldebt.project.rubric.Score`), set by the engine.
    score: Any = None
    #: Where the complete report is, for a report that must be cut (Markdown under GitHub's
    #: size limit): a URL (the Action's run artifacts) or files the same scan wrote; set by
    #: the CLI.
    full_report_url: str = ""
    full_report_files: tuple[str, ...] = ()

    @property
    def baselined(self) -> int:
        return self.baseline.matched if self.baseline is not None else 0

    @property
    def suppressed(self) -> int:
        return sum(f.suppressed for f in self.files)

    def metrics(self) -> dict[str, Any]:
        files_by_kind = Counter(f.kind for f in self.files)
        lines_by_kind = Counter()
        for f in self.files:
            lines_by_kind[f.kind] += f.lines
        metrics = {
            "files": len(self.files),
            "files_by_kind": dict(sorted(files_by_kind.items())),
            "lines_by_kind": dict(sorted(lines_by_kind.items())),
            "findings": len(self.findings),
            "findings_by_category": dict(sorted(Counter(f.category for f in self.findings).items())),
            "findings_by_severity": dict(sorted(Counter(f.severity for f in self.findings).items())),
            "suppressed": self.suppressed,
            "diagnostics": len(self.diagnostics),
            "glue_code": glue_summary((f.path, f.facts) for f in self.files),
        }
        if self.baseline is not None:
            metrics["baselined"] = self.baselined
        return metrics

    def to_dict(self) -> dict[str, Any]:
        document = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "mldebt", "version": __version__},
            "settings_digest": self.settings_digest,
            "rules": self.rules_run,
            "findings": [f.to_dict() for f in self.findings],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "metrics": self.metrics(),
            "graph": self.graph_data,
            "score": self.score.to_dict() if self.score is not None else None,
        }
        if self.baseline is not None:
            document["baseline"] = self.baseline.to_dict()
        return document
