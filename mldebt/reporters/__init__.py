"""One module per output format, each with `render(report, color=False) -> str`.

The table names modules rather than importing them: the CLI lists the formats in its help and
`reporters.escape` is used by every error message, neither of which should cost the renderers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mldebt.report import Report

#: Each format and the module (in this package) that renders it.
REPORTERS: dict[str, str] = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "markdown": "markdown",
    "github": "github",
    "badge": "badge",
}


def render(report: Report, fmt: str, color: bool = False) -> str:
    return importlib.import_module(f"{__name__}.{REPORTERS[fmt]}").render(report, color=color)
