"""How places are written for people: a finding's `path:line:col` (with the cell for
notebooks), and where the complete report is when a report had to be cut."""

from __future__ import annotations

from mldebt.report import Finding, Report
from mldebt.reporters.escape import printable


def location(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}[cell {finding.cell}]:{finding.line}:{finding.column}"
    return f"{finding.path}:{finding.line}:{finding.column}"


def full_report(report: Report, markdown: bool) -> str:
    """Where the complete report is, for a report cut to GitHub's limits: the URL the CLI was
    given (the Action's run artifacts), else the JSON, SARIF or text files the same scan
    wrote; '' when neither is known."""
    if report.full_report_url:
        url = printable(report.full_report_url)
        return f"[this run's artifacts]({url})" if markdown else f"this run's artifacts ({url})"
    quote = "`{}`" if markdown else "{}"
    return " and ".join(quote.format(printable(path)) for path in report.full_report_files)
