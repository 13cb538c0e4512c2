"""Documentation generated from the rules themselves: `mldebt explain`, `mldebt rules` and the
README catalogue.

`mldebt rules` and `mldebt explain` read a generated copy, `rules/catalogue.json`, instead of
importing the rules: those import libcst and networkx, which would make a listing cost what a
scan's start-up costs. A test fails when that copy or the README's is stale;
`python -m mldebt.catalogue` rewrites both.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from mldebt.registry import RuleClass, SelectorError, all_rules, unknown
from mldebt.rule import Invalid, Valid

#: The generated catalogue, shipped in the `mldebt.rules` package.
CATALOGUE_FILE = "catalogue.json"

README_START = "<!-- rules:start -->"
README_END = "<!-- rules:end -->"


#: Fence languages by file name, for examples that are not Python modules.
_LANGUAGES = ((".ipynb", "python"), (".txt", "text"), (".toml", "toml"), (".yaml", "yaml"), (".yml", "yaml"),
              (".cfg", "ini"), (".json", "json"), ("dockerfile", "dockerfile"), ("makefile", "makefile"),
              (".sh", "shell"), (".dvc", "yaml"), (".gitignore", "text"),
              (".gitattributes", "text"), (".in", "text"), (".lock", "text"))


def _block(path: str, text: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    language = next((lang for suffix, lang in _LANGUAGES if name.endswith(suffix) or name.startswith(suffix)), "python")
    if name.endswith(".ipynb"):  # the cells a reader would see, not the notebook's JSON
        cells = json.loads(text)["cells"]
        text = "\n# next cell\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return f"```{language}\n" + text.rstrip("\n") + "\n```"


def _example(example: Valid | Invalid) -> str:
    """An example as the rule sees it: the file, named when its name or its neighbours matter."""
    if example.path == "example.py" and not example.files:
        return _block(example.path, example.code)
    parts = [f"`{example.path}`:", _block(example.path, example.code)]
    for path, text in sorted(example.files.items()):
        parts += [f"with `{path}`:", _block(path, text)]
    return "\n".join(parts)


def explain(rule: RuleClass) -> str:
    """One rule's documentation as Markdown: summary, rationale, limits, references, examples."""
    parts = [
        f"# {rule.id} {rule.name}",
        rule.summary(),
        f"Category: `{rule.category.value}`. Severity: {rule.severity.label}. "
        f"Confidence: {rule.confidence.label}.",
    ]
    for section in ("Why it matters", "Evidence", "Known limitations", "References"):
        body = rule.doc_section(section)
        if body:
            parts.append(f"## {section}\n{body}")
    parts.append("## Flagged\n" + _example(rule.invalid_examples()[0]))
    parts.append("## Not flagged\n" + _example(rule.valid_examples()[0]))
    options = dataclasses.fields(rule.Options)
    if options:
        lines = [f"- `{f.name.replace('_', '-')}` (default `{json.dumps(f.default)}`)" for f in options]
        parts.append(f"## Options (`[tool.mldebt.rules.{rule.id}]`)\n" + "\n".join(lines))
    if not rule.in_tests:
        parts.append("Not checked in test code (`tests/` folders, `test_*.py`, `*_test.py`, `conftest.py`).")
    from mldebt.project.demos import DEMO_KINDS  # generating only: listing rules must stay cheap

    for kind, severity in sorted(rule.in_demos.items()):
        worth = "not reported" if severity is None else f"reported as {severity.label}"
        parts.append(f"In demo code ({DEMO_KINDS[kind]}): {worth}.")
    parts.append(f"Suppress one occurrence with `# mldebt: ignore[{rule.id}]`.")
    return "\n\n".join(parts) + "\n"


def catalogue() -> list[dict[str, Any]]:
    """Every rule's metadata and `explain` text, from the rules themselves."""
    return [
        {
            "id": rule.id, "name": rule.name, "category": rule.category.value, "severity": rule.severity.label,
            "summary": rule.summary(), "explain": explain(rule),
        }
        for rule in all_rules()
    ]


def catalogue_json() -> str:
    return json.dumps(catalogue(), indent=1, ensure_ascii=False) + "\n"


def shipped_catalogue() -> list[dict[str, Any]]:
    """The generated copy (no rule imported)."""
    return json.loads(resources.files("mldebt.rules").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8"))


def find(entries: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The entries a user means: an id (any case) or a rule name (one entry), or an id prefix
    (`MLD4`) or a category (`unsafe-deserialization`) with all their rules."""
    key = text.strip()
    for entry in entries:
        if entry["id"] == key.upper() or entry["name"] == key:
            return [entry]
    matches = [e for e in entries if e["id"].startswith(key.upper()) or e["category"] == key]
    if matches:
        return matches
    upper = key.upper()
    if upper.startswith("MLD"):
        # A near-miss id (`MLD450`): the rules of its longest prefix that has any, not the
        # closest string among unrelated ids.
        for length in range(len(upper) - 1, 3, -1):
            family = [e["id"] for e in entries if e["id"].startswith(upper[:length])]
            if family:
                raise SelectorError(f"unknown rule `{key}`; the {upper[:length]} rules are {', '.join(family)}")
        prefixes = sorted({(e["id"][:4], e["category"]) for e in entries})
        raise SelectorError(
            f"unknown rule `{key}`; the prefixes are {', '.join(f'{p} ({c})' for p, c in prefixes)}"
        )
    choices = [e["id"] for e in entries] + [e["name"] for e in entries] + sorted({e["category"] for e in entries})
    raise SelectorError(unknown("rule or category", key, choices))


def listing(entries: list[dict[str, Any]]) -> str:
    """Several rules, one line each: what `mldebt explain` prints for a prefix or category."""
    lines = [f"{e['id']} {e['name']} ({e['category']}, {e['severity']})\n    {e['summary']}" for e in entries]
    return "\n".join([*lines, "", "`mldebt explain ID` prints one rule's rationale, references and examples."]) + "\n"


def rules_markdown(entries: list[dict[str, Any]]) -> str:
    """The catalogue table for the README."""
    rows = ["| id | name | category | severity | what it finds |", "|---|---|---|---|---|"]
    for e in entries:
        rows.append(f"| {e['id']} | `{e['name']}` | {e['category']} | {e['severity']} | {e['summary']} |")
    rows.append("")
    rows.append("`mldebt explain ID` prints a rule's rationale, references and examples.")
    return "\n".join(rows) + "\n"


def readme_with_catalogue(readme: str) -> str:
    """`readme` with the text between the catalogue markers regenerated."""
    head, start, rest = readme.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise ValueError(f"README has no {README_START} ... {README_END} block")
    return f"{head}{README_START}\n{rules_markdown(catalogue())}{README_END}{tail}"


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(readme_with_catalogue(path.read_text(encoding="utf-8")), encoding="utf-8")
    shipped = Path(resources.files("mldebt.rules").joinpath(CATALOGUE_FILE))
    shipped.write_text(catalogue_json(), encoding="utf-8")
