"""One module per output format, each with `render(report, color=False) -> str`."""

from __future__ import annotations

from collections.abc import Callable

from mldebt.report import Report
from mldebt.reporters import badge, github, json_format, markdown, sarif, text

Renderer = Callable[..., str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
    "github": github.render,
    "badge": badge.render,
}


def render(report: Report, fmt: str, color: bool = False) -> str:
    return REPORTERS[fmt](report, color=color)
