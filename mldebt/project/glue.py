"""The glue-code share (Sculley et al. 2015 sec. 3) from the statement classes of each module
(`GlueLines` facts): per module and for the repository, test code left out (it is not part of
the ML system, and fixtures are glue by nature)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from mldebt.discover import is_test_path
from mldebt.extract.facts import Facts, GlueLines

#: How many of the most glue-heavy modules the metrics name.
TOP_MODULES = 5


def share(lines: GlueLines) -> float:
    return round(lines.glue / lines.total, 3) if lines.total else 0.0


def glue_summary(files: Iterable[tuple[str, Facts]]) -> dict:
    """`metrics.glue_code`: statements by class, glue by kind, the share, and the modules
    holding the most glue statements (with their own share)."""
    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    modules = []
    for path, facts in files:
        lines = facts.glue_lines
        if not lines.total or is_test_path(path):
            continue
        counts.update(model=lines.model, glue=lines.glue, neutral=lines.neutral)
        kinds.update(lines.glue_kinds)
        if lines.glue:
            modules.append({"path": path, "glue": lines.glue, "statements": lines.total, "share": share(lines)})
    total = sum(counts.values())
    modules.sort(key=lambda m: (-m["glue"], -m["share"], m["path"]))
    return {
        "statements": {"model": counts["model"], "glue": counts["glue"], "neutral": counts["neutral"]},
        "glue_by_kind": dict(sorted(kinds.items())),
        "share": round(counts["glue"] / total, 3) if total else 0.0,
        "modules": modules[:TOP_MODULES],
    }
