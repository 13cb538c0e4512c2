"""How a finding's place is written for people: `path:line:col`, with the cell for notebooks."""

from __future__ import annotations

from mldebt.report import Finding


def location(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}[cell {finding.cell}]:{finding.line}:{finding.column}"
    return f"{finding.path}:{finding.line}:{finding.column}"
