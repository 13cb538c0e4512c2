"""The terminal report: findings grouped by file, a dimmed hint under each, then a summary
that starts with what to look at first (the errors, the most frequent rules), because on a
legacy repository the findings list is longer than anyone scrolls."""

from __future__ import annotations

import io
from collections import Counter
from itertools import groupby

from rich.console import Console
from rich.markup import escape as escape_markup
from rich.table import Table

from mldebt.report import Report
from mldebt.reporters.escape import printable
from mldebt.reporters.location import location
from mldebt.reporters.score import summary_line
from mldebt.reporters.statistics import rule_counts

def escape(text: str) -> str:
    """Text from the scanned tree as rich markup: no markup, no control characters."""
    return escape_markup(printable(text))


_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
#: How many errors and rules the summary names before "and N more".
SUMMARY_ERRORS = 10
SUMMARY_RULES = 5


def _summary(console: Console, report: Report) -> None:
    errors = [f for f in report.findings if f.severity == "error"]
    if errors and len(errors) < len(report.findings):
        console.print(f"[bold red]Errors[/bold red] ({len(errors)}), first:")
        for f in errors[:SUMMARY_ERRORS]:
            console.print(f"  {escape(location(f))} [bold]{f.rule}[/bold] {escape(f.message)}", soft_wrap=True)
        if len(errors) > SUMMARY_ERRORS:
            console.print(f"  ... and {len(errors) - SUMMARY_ERRORS} more error(s)")
    counts = rule_counts(report.findings)
    if len(counts) > 1:
        top = ", ".join(f"{f.rule} {f.name} ({n} {f.severity})" for n, f in counts[:SUMMARY_RULES])
        more = f" and {len(counts) - SUMMARY_RULES} more" if len(counts) > SUMMARY_RULES else ""
        console.print(f"Top rules: {top}{more} (`--statistics` lists all)", soft_wrap=True)
    if report.baseline is not None and report.baseline.stale:
        console.print(
            f"[bold]Stale baseline entries[/bold] ({len(report.baseline.stale)} in {escape(report.baseline.file)} "
            "match no finding; `mldebt baseline --update` drops them)"
        )
        for entry in report.baseline.stale[:SUMMARY_ERRORS]:
            console.print(f"  {escape(entry.path)}:{entry.line} {entry.rule} {escape(entry.message)}", soft_wrap=True)
        if len(report.baseline.stale) > SUMMARY_ERRORS:
            console.print(f"  ... and {len(report.baseline.stale) - SUMMARY_ERRORS} more")


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
        console.print("[bold]Diagnostics[/bold] (files mldebt could not fully read, or left out on purpose)")
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
    _summary(console, report)
    metrics = report.metrics()
    kinds = ", ".join(f"{n} {kind}" for kind, n in metrics["files_by_kind"].items()) or "none"
    baselined = f"{metrics['baselined']} baselined; " if report.baseline is not None else ""
    console.print(
        f"{metrics['findings']} finding(s) in {metrics['files']} file(s) scanned ({kinds}); "
        f"{metrics['suppressed']} suppressed; {baselined}{metrics['diagnostics']} diagnostic(s)",
        soft_wrap=True,
    )
    glue = metrics["glue_code"]
    if sum(glue["statements"].values()):
        heaviest = ", ".join(f"{m['path']} {m['share']:.0%}" for m in glue["modules"][:3])
        console.print(
            escape(f"Glue code: {glue['share']:.0%} of {sum(glue['statements'].values())} statements outside tests"
                   + (f" (most in {heaviest})" if heaviest else "")),
            soft_wrap=True,
        )
    if report.score is not None:
        console.print(escape(summary_line(report.score)), soft_wrap=True)
    return buffer.getvalue()
