"""The canonical JSON document (schema in `mldebt.report`)."""

from __future__ import annotations

import json

from mldebt.report import Report


def render(report: Report, color: bool = False) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
