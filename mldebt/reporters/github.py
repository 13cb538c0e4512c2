"""GitHub Actions workflow commands: annotations on the pull request's diff."""

from __future__ import annotations

from mldebt.report import Report

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, color: bool = False) -> str:
    lines = []
    for f in report.findings:
        props = [f"file={_property(f.path)}"]
        message = f.message
        if f.cell is None:
            props += [f"line={f.line}", f"col={f.column}", f"endLine={f.end_line}", f"endColumn={f.end_column}"]
        else:
            message = f"cell {f.cell}, line {f.line}: {message}"
        props.append(f"title={_property(f'{f.rule} {f.name}')}")
        if f.hint:
            message += f" (hint: {f.hint})"
        lines.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_data(message)}")
    for d in report.diagnostics:
        lines.append(f"::warning file={_property(d.path)},title=mldebt {d.kind}::{_data(d.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
