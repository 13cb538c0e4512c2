"""Markdown for pull-request comments and `$GITHUB_STEP_SUMMARY`."""

from __future__ import annotations

from collections import Counter

from mldebt.report import Report
from mldebt.reporters.location import location


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: Report, color: bool = False) -> str:
    metrics = report.metrics()
    lines = [
        "## mldebt",
        "",
        f"{metrics['findings']} finding(s) in {metrics['files']} file(s); "
        f"{metrics['suppressed']} suppressed; {metrics['diagnostics']} diagnostic(s).",
        "",
    ]
    if report.findings:
        counts = Counter(f.category for f in report.findings)
        lines += ["| category | findings |", "|---|---:|"]
        lines += [f"| {category} | {n} |" for category, n in sorted(counts.items())]
        lines += ["", "| location | rule | severity | message |", "|---|---|---|---|"]
        for f in report.findings:
            message = _cell(f.message) + (f"<br>*{_cell(f.hint)}*" if f.hint else "")
            lines.append(f"| `{_cell(location(f))}` | {f.rule} `{f.name}` | {f.severity} | {message} |")
        lines.append("")
    if report.diagnostics:
        lines += ["<details><summary>Diagnostics</summary>", ""]
        lines += [f"- `{_cell(d.path)}` {d.kind}: {_cell(d.message)}" for d in report.diagnostics]
        lines += ["", "</details>", ""]
    return "\n".join(lines)
