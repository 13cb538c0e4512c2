"""The ML Test Score as `mldebt score` prints it (text, markdown, json) and as the scan's
reports summarise it (one text line, one markdown section)."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mldebt.project.rubric import SECTIONS, Score, TestScore

_VERDICT_STYLE = {
    "automated": "green", "manual": "yellow", "attested": "cyan", "none": "red", "not-assessable": "dim",
}


def _points(value: float) -> str:
    return f"{value:g}"


def summary_line(score: Score) -> str:
    """One line for the scan's text summary."""
    sections = ", ".join(f"{name} {_points(score.sections[name])}" for name in SECTIONS)
    return f"ML Test Score {_points(score.final)} ({score.band}): {sections}; `mldebt score` shows the evidence"


def _evidence(test: TestScore) -> str:
    if test.reason is not None:
        return f"attested: {test.reason}"
    return ", ".join(map(str, test.evidence))


def render_text(score: Score, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=140, highlight=False)
    table = Table(title="ML Test Score (static estimate, Breck et al. 2017)", title_justify="left")
    for column in ("test", "title", "verdict", "points", "evidence"):
        table.add_column(column, overflow="fold")
    for name in SECTIONS:
        table.add_section()
        table.add_row("", f"[bold]{name}[/bold]", "", f"[bold]{_points(score.sections[name])}[/bold]", "")
        for t in score.tests:
            if t.section == name:
                style = _VERDICT_STYLE[t.verdict]
                where = escape(_evidence(t))
                why = f"[dim]{escape(t.detail)}[/dim]" if t.reason is None else ""
                table.add_row(
                    t.id, escape(t.title), f"[{style}]{t.verdict}[/{style}]", _points(t.points),
                    "\n".join(part for part in (where, why) if part),
                )
    console.print(table)
    console.print(
        f"[bold]Final score {_points(score.final)}[/bold] (the minimum of the sections): {escape(score.band)}",
        soft_wrap=True,
    )
    if score.next_steps:
        console.print("Cheapest next steps that raise the lowest section:")
        for step in score.next_steps:
            console.print(f"  - {escape(step)}", soft_wrap=True)
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_section(score: Score, heading: str = "###", full: bool = False) -> list[str]:
    """The score as markdown lines: the sections, then the tests that score (all 28 with `full`,
    with why each scores as it does), then the next steps. The scan's report uses the short form,
    since GitHub caps a comment or step summary at 65,536 characters."""
    lines = [
        f"{heading} ML Test Score: {_points(score.final)} ({score.band})",
        "",
        "| " + " | ".join(SECTIONS) + " |",
        "|" + "---:|" * len(SECTIONS),
        "| " + " | ".join(_points(score.sections[name]) for name in SECTIONS) + " |",
        "",
    ]
    shown = [t for t in score.tests if full or t.points > 0]
    if shown:
        lines += ["| test | title | verdict | points | evidence |", "|---|---|---|---:|---|"]
        for t in shown:
            evidence = ", ".join(f"`{e}`" for e in t.evidence)
            why = _cell(t.reason or t.detail)
            cell = f"{evidence}<br>{why}" if evidence and full else evidence or why
            lines.append(f"| {t.id} | {_cell(t.title)} | {t.verdict} | {_points(t.points)} | {cell} |")
        lines.append("")
    if not full:
        lines += ["`mldebt score --format markdown` lists all 28 tests and why each scores as it does.", ""]
    if score.next_steps:
        lines += ["Cheapest next steps that raise the lowest section:", ""]
        lines += [f"- {_cell(step)}" for step in score.next_steps]
        lines.append("")
    return lines


def render_markdown(score: Score, color: bool = False) -> str:
    return "\n".join(markdown_section(score, heading="##", full=True))


def render_json(score: Score, color: bool = False) -> str:
    return json.dumps(score.to_dict(), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
