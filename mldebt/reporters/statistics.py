"""`--statistics`: one line per rule (count, id, name, severity), errors first, then by count,
so that triage of a legacy repository starts from what matters most (ruff's `--statistics`)."""

from __future__ import annotations

from collections import Counter

from mldebt.report import Finding, Report
from mldebt.rule import Severity


def rule_counts(findings: list[Finding]) -> list[tuple[int, Finding]]:
    """(count, one finding of the rule) per rule: highest severity first, then most frequent."""
    counts = Counter(f.rule for f in findings)
    first: dict[str, Finding] = {}
    for f in findings:
        # A rule's severity can vary per finding; the rule is listed at its highest.
        if f.rule not in first or Severity.parse(f.severity) > Severity.parse(first[f.rule].severity):
            first[f.rule] = f
    return sorted(
        ((counts[rule], f) for rule, f in first.items()),
        key=lambda pair: (-Severity.parse(pair[1].severity), -pair[0], pair[1].rule),
    )


def render_statistics(report: Report) -> str:
    rows = rule_counts(report.findings)
    width = max((len(str(n)) for n, _ in rows), default=1)
    lines = [f"{n:>{width}}  {f.rule}  {f.name:<40} {f.severity}" for n, f in rows]
    total = f"{len(report.findings)} finding(s)"
    if report.baselined:
        total += f"; {report.baselined} baselined"
    return "\n".join([*lines, total]) + "\n"
