"""The terminal report: findings grouped by file, a dimmed hint under each, then a summary."""

from __future__ import annotations

import io
from collections import Counter
from itertools import groupby

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mldebt.report import Report
from mldebt.reporters.location import location

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(report: Report, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=120, highlight=False)
    for path, findings in groupby(report.findings, key=lambda f: f.path):
        console.print(f"[bold]{escape(path)}[/bold]")
        for f in findings:
            style = _STYLE[f.severity]
            console.print(
                f"  {escape(location(f))} [bold]{f.rule}[/bold] [{style}]{f.severity}[/{style}] {escape(f.message)}",
                soft_wrap=True,
            )
            if f.hint:
                console.print(f"    [dim]hint: {escape(f.hint)}[/dim]", soft_wrap=True)
        console.print()
    if report.diagnostics:
        console.print("[bold]Diagnostics[/bold] (files mldebt could not fully read)")
        for d in report.diagnostics:
            where = f"{d.path}:{d.line}" if d.line else d.path
            console.print(f"  {escape(where)} [magenta]{d.kind}[/magenta] {escape(d.message)}", soft_wrap=True)
        console.print()
    if report.findings:
        table = Table(title="Findings by category", title_justify="left")
        table.add_column("category")
        for severity in ("error", "warning", "info"):
            table.add_column(severity, justify="right")
        table.add_column("total", justify="right")
        by_category = Counter((f.category, f.severity) for f in report.findings)
        for category in sorted({f.category for f in report.findings}):
            counts = [by_category[(category, s)] for s in ("error", "warning", "info")]
            table.add_row(category, *map(str, counts), str(sum(counts)))
        console.print(table)
    metrics = report.metrics()
    kinds = ", ".join(f"{n} {kind}" for kind, n in metrics["files_by_kind"].items()) or "none"
    console.print(
        f"{metrics['findings']} finding(s) in {metrics['files']} file(s) scanned ({kinds}); "
        f"{metrics['suppressed']} suppressed; {metrics['diagnostics']} diagnostic(s)",
        soft_wrap=True,
    )
    return buffer.getvalue()
