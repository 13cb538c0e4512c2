"""Run rules on snippets: the engine behind every rule's VALID/INVALID examples.

Plugin authors and our own tests use the same path as a real scan (decode, parse, batched
traversal, positions, suppressions), only without touching the disk.
"""

from __future__ import annotations

from pathlib import Path

from mldebt.discover import FileRef, classify
from mldebt.engine import FileAnalyzer
from mldebt.report import FileResult
from mldebt.settings import Settings


def lint_source(code: str, select: tuple[str, ...], path: str = "example.py") -> FileResult:
    """Findings and diagnostics of the rules `select`ed for `code` scanned as `path`."""
    kind = classify(path)
    if kind is None:
        raise ValueError(f"mldebt does not scan files named like `{path}`")
    analyzer = FileAnalyzer(Path("."), Settings(select=select))
    return analyzer.analyse_bytes(FileRef(path, kind), code.encode("utf-8"))
