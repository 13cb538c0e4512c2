"""GitHub Actions workflow commands: annotations on the pull request's diff.

GitHub shows at most 10 annotations of each kind per step (and 50 per job) and drops the rest
silently, so the most severe come first, each kind is capped, and a closing notice says how many
more are in the full report.
"""

from __future__ import annotations

from collections import Counter

from mldebt.report import Report
from mldebt.reporters.escape import printable
from mldebt.reporters.location import full_report
from mldebt.rule import Severity

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
#: GitHub's display limit per annotation kind and step.
PER_KIND = 10


def _data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(f) -> tuple[str, str]:
    props = [f"file={_property(f.path)}"]
    message = f.message
    if f.cell is None:
        props += [f"line={f.line}", f"col={f.column}", f"endLine={f.end_line}", f"endColumn={f.end_column}"]
    else:
        message = f"cell {f.cell}, line {f.line}: {message}"
        if f.notebook_line is not None:  # the .ipynb line that holds the cell's line
            props.append(f"line={f.notebook_line}")
    props.append(f"title={_property(f'{f.rule} {f.name}')}")
    if f.hint:
        message += f" (hint: {f.hint})"
    return _LEVEL[f.severity], f"::{_LEVEL[f.severity]} {','.join(props)}::{_data(message)}"


def _where(report: Report) -> str:
    where = full_report(report, markdown=False)
    return _data(f"in {where}") if where else "(SARIF, JSON or Markdown)"


def render(report: Report, color: bool = False) -> str:
    annotations = [_annotation(f) for f in sorted(report.findings, key=lambda f: -Severity.parse(f.severity))]
    annotations += [
        ("warning", f"::warning file={_property(d.path)},title=mldebt {d.kind}::{_data(d.message)}")
        for d in report.diagnostics
    ]
    shown: Counter[str] = Counter()
    lines, omitted = [], Counter()
    for kind, line in annotations:
        if shown[kind] < PER_KIND:
            shown[kind] += 1
            lines.append(line)
        else:
            omitted[kind] += 1
    if omitted:
        if shown["notice"] == PER_KIND:  # the closing notice takes the last notice's place
            lines.pop(max(i for i, line in enumerate(lines) if line.startswith("::notice ")))
            omitted["notice"] += 1
        counts = ", ".join(f"{omitted[k]} {k}" for k in ("error", "warning", "notice") if omitted[k])
        lines.append(
            f"::notice title=mldebt::{sum(omitted.values())} more annotation(s) not shown ({counts}): "
            f"GitHub displays 10 of each kind per step; see the full report {_where(report)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")
