"""Documentation generated from the rules themselves: `mldebt explain`, `mldebt rules` and the
README catalogue (a test fails when the README's copy is stale; `python -m mldebt.catalogue`
rewrites it)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from mldebt.registry import RuleClass, all_rules

README_START = "<!-- rules:start -->"
README_END = "<!-- rules:end -->"


def _example(code: str) -> str:
    return "```python\n" + code.rstrip("\n") + "\n```"


def explain(rule: RuleClass) -> str:
    """One rule's documentation as Markdown: summary, rationale, limits, references, examples."""
    parts = [
        f"# {rule.id} {rule.name}",
        rule.summary(),
        f"Category: `{rule.category.value}`. Severity: {rule.severity.label}. "
        f"Confidence: {rule.confidence.label}.",
    ]
    for section in ("Why it matters", "Known limitations", "References"):
        body = rule.doc_section(section)
        if body:
            parts.append(f"## {section}\n{body}")
    parts.append("## Flagged\n" + _example(rule.invalid_examples()[0].code))
    parts.append("## Not flagged\n" + _example(rule.valid_examples()[0].code))
    options = dataclasses.fields(rule.Options)
    if options:
        lines = [f"- `{f.name.replace('_', '-')}` (default `{json.dumps(f.default)}`)" for f in options]
        parts.append(f"## Options (`[tool.mldebt.rules.{rule.id}]`)\n" + "\n".join(lines))
    if not rule.in_tests:
        parts.append("Not checked in test code (`tests/` folders, `test_*.py`, `*_test.py`, `conftest.py`).")
    parts.append(f"Suppress one occurrence with `# mldebt: ignore[{rule.id}]`.")
    return "\n\n".join(parts) + "\n"


def rules_markdown() -> str:
    """The catalogue table for the README."""
    rows = ["| id | name | category | severity | what it finds |", "|---|---|---|---|---|"]
    for rule in all_rules():
        rows.append(
            f"| {rule.id} | `{rule.name}` | {rule.category.value} | {rule.severity.label} | {rule.summary()} |"
        )
    rows.append("")
    rows.append("`mldebt explain ID` prints a rule's rationale, references and examples.")
    return "\n".join(rows) + "\n"


def readme_with_catalogue(readme: str) -> str:
    """`readme` with the text between the catalogue markers regenerated."""
    head, start, rest = readme.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise ValueError(f"README has no {README_START} ... {README_END} block")
    return f"{head}{README_START}\n{rules_markdown()}{README_END}{tail}"


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(readme_with_catalogue(path.read_text(encoding="utf-8")), encoding="utf-8")
