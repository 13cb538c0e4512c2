"""Baselines: today's findings recorded by fingerprint, so a legacy repository can switch mldebt
on and be held to "no new debt" without fixing everything first.

A fingerprint hashes the rule, the path, the whitespace-normalised flagged line and its
occurrence index (no line number), so an entry keeps matching when lines shift, when the file is
edited elsewhere or when functions are reordered. Matching is multiset matching: three entries
with one fingerprint hide at most three findings. Entries that match nothing are *stale*; they
are listed so the file can shrink (`mldebt baseline --update`).

The file is JSON with one entry per line, sorted, so that a change to it reads well in a diff.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldebt.engine import within
from mldebt.report import Finding, Report

BASELINE_VERSION = 1
#: A baseline is data we read, never trust: a generous cap on its size.
MAX_BASELINE_BYTES = 64 * 2**20


class BaselineError(ValueError):
    """A baseline file that cannot be read; the message names the file and the fix."""


@dataclass(frozen=True, order=True)
class Entry:
    """One recorded finding. Only `fingerprint` matches; the rest makes the file readable."""

    path: str
    rule: str
    fingerprint: str
    line: int
    message: str

    @classmethod
    def of(cls, finding: Finding) -> Entry:
        return cls(finding.path, finding.rule, finding.fingerprint, finding.line, finding.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "rule": self.rule, "fingerprint": self.fingerprint,
            "line": self.line, "message": self.message,
        }


@dataclass(frozen=True)
class BaselineResult:
    """What applying a baseline did: how many findings it hid and which entries matched none."""

    file: str
    matched: int
    stale: tuple[Entry, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "matched": self.matched, "stale": [e.to_dict() for e in self.stale]}


def render_baseline(entries: Iterable[Entry]) -> str:
    """The baseline document: sorted, one entry per line."""
    rows = [json.dumps(e.to_dict(), ensure_ascii=False) for e in sorted(entries)]
    body = ",\n".join(f"    {row}" for row in rows)
    return (
        "{\n"
        f'  "version": {BASELINE_VERSION},\n'
        '  "tool": "mldebt",\n'
        '  "findings": [' + (f"\n{body}\n  " if rows else "") + "]\n"
        "}\n"
    )


def baseline_of(report: Report) -> str:
    return render_baseline(Entry.of(f) for f in report.findings)


def load_baseline(path: Path) -> list[Entry]:
    """Read a baseline file; any defect is a `BaselineError` naming the file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BASELINE_BYTES + 1)
    except FileNotFoundError:
        raise BaselineError(f"baseline `{path}` does not exist (create it with `mldebt baseline -o {path}`)") from None
    except OSError as error:
        raise BaselineError(f"baseline `{path}`: cannot read: {error.strerror}") from None
    if len(data) > MAX_BASELINE_BYTES:
        raise BaselineError(f"baseline `{path}` is larger than {MAX_BASELINE_BYTES // 2**20} MiB")
    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("tool") != "mldebt" or document.get("version") != BASELINE_VERSION:
            raise ValueError(f"not an mldebt baseline of version {BASELINE_VERSION}")
        return [
            Entry(str(e["path"]), str(e["rule"]), str(e["fingerprint"]), int(e.get("line", 0)), str(e.get("message", "")))
            for e in document["findings"]
        ]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as error:
        raise BaselineError(
            f"baseline `{path}` is not a valid baseline ({error}); regenerate it with `mldebt baseline -o {path}`"
        ) from None


def apply_baseline(report: Report, entries: list[Entry], file: str, only: list[str] | None = None) -> Report:
    """The report without the findings the baseline records (multiset matching by fingerprint),
    with how many were hidden and which entries matched nothing. With `only` (the paths a scan
    reported, as `mldebt.engine.scan` takes them), entries elsewhere are not known to be stale."""
    remaining = Counter(e.fingerprint for e in entries)
    kept = []
    for finding in report.findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
        else:
            kept.append(finding)
    stale = []
    for entry in sorted(entries):
        # An entry of a rule this scan did not run (`--select`), or of a file it did not report
        # (files as arguments), is not known to be stale.
        in_scope = entry.rule in report.rules_run and (only is None or within(entry.path, tuple(only)))
        if remaining[entry.fingerprint] > 0 and in_scope:
            remaining[entry.fingerprint] -= 1
            stale.append(entry)
    result = BaselineResult(file, len(report.findings) - len(kept), tuple(stale))
    return dataclasses.replace(report, findings=kept, baseline=result)


def shrink(entries: list[Entry], result: BaselineResult) -> list[Entry]:
    """`entries` without the stale ones: `--update` only ever shrinks a baseline."""
    stale = Counter(result.stale)
    kept = []
    for entry in entries:
        if stale[entry] > 0:
            stale[entry] -= 1
        else:
            kept.append(entry)
    return kept
