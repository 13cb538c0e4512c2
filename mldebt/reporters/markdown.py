"""Markdown for pull-request comments and `$GITHUB_STEP_SUMMARY`.

GitHub refuses comments and step summaries over 65,536 characters, so the summary and the most
severe findings come first and rows stop before the limit, with a line saying how many more
findings there are and where the full report is: the link the CLI was given (the GitHub
Action's run artifacts), else the JSON, SARIF or text files written by the same scan.
"""

from __future__ import annotations

from collections import Counter

from mldebt.report import Report
from mldebt.reporters.escape import printable
from mldebt.reporters.location import full_report, location
from mldebt.reporters.score import markdown_section
from mldebt.rule import Severity

#: GitHub's limit for a comment or a step summary is 65,536 characters; leave room for a footer.
MAX_CHARS = 60_000


def _cell(text: str) -> str:
    return printable(text).replace("|", "\\|")


def _summary(report: Report) -> list[str]:
    metrics = report.metrics()
    baselined = f"{report.baselined} baselined; " if report.baseline is not None else ""
    lines = [
        "## mldebt",
        "",
        f"{metrics['findings']} finding(s) in {metrics['files']} file(s); "
        f"{metrics['suppressed']} suppressed; {baselined}{metrics['diagnostics']} diagnostic(s).",
        "",
    ]
    if report.findings:
        by_severity = Counter((f.category, f.severity) for f in report.findings)
        lines += ["| category | error | warning | info | total |", "|---|---:|---:|---:|---:|"]
        for category in sorted({f.category for f in report.findings}):
            counts = [by_severity[(category, s)] for s in ("error", "warning", "info")]
            lines.append(f"| {category} | {' | '.join(map(str, counts))} | {sum(counts)} |")
        lines.append("")
    return lines


def _full_report(report: Report) -> str:
    where = full_report(report, markdown=True).replace("|", "\\|")
    return f"The full report is in {where}." if where else "`mldebt scan -o json:FILE` (or `sarif:FILE`) writes the full report."


def render(report: Report, color: bool = False, max_chars: int = MAX_CHARS) -> str:
    lines = _summary(report)
    if report.score is not None:  # a few thousand characters at most: 28 rows
        lines += markdown_section(report.score)
    size = sum(len(line) + 1 for line in lines)
    if report.findings:
        lines += ["| location | rule | severity | message |", "|---|---|---|---|"]
        findings = sorted(report.findings, key=lambda f: -Severity.parse(f.severity))
        for shown, f in enumerate(findings):
            message = _cell(f.message) + (f"<br>*{_cell(f.hint)}*" if f.hint else "")
            row = f"| `{_cell(location(f))}` | {f.rule} `{f.name}` | {f.severity} | {message} |"
            if size + len(row) + 1 > max_chars:
                lines += ["", f"*{len(findings) - shown} more finding(s) are not listed here: GitHub limits a "
                          f"summary to 65,536 characters. {_full_report(report)}*"]
                break
            lines.append(row)
            size += len(row) + 1
        lines.append("")
    if report.diagnostics:
        details = [f"- `{_cell(d.path)}` {d.kind}: {_cell(d.message)}" for d in report.diagnostics]
        budget = max_chars - sum(len(line) + 1 for line in lines) - 200
        kept = []
        for detail in details:
            budget -= len(detail) + 1
            if budget < 0:
                kept.append(f"- ... and {len(details) - len(kept)} more diagnostic(s)")
                break
            kept.append(detail)
        lines += ["<details><summary>Diagnostics</summary>", "", *kept, "", "</details>", ""]
    return "\n".join(lines)
