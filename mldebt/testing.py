"""Run a rule on its examples: the engine behind every rule's VALID/INVALID tests.

Each example becomes a little repository in a temporary folder, scanned end to end (discovery,
decoding, parsing, the batched traversal, the project phase, suppressions) with only that rule
selected, so the examples test the same path a user's scan takes.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from mldebt.engine import scan
from mldebt.report import Diagnostic, Finding
from mldebt.registry import rule_by_id
from mldebt.rule import Invalid, SuppressionRule, Valid
from mldebt.settings import load_settings


def run_example(rule_id: str, example: Valid | Invalid) -> tuple[list[Finding], list[Diagnostic]]:
    """Findings of `rule_id` in `example.path`, and every diagnostic, for the example's repo."""
    with tempfile.TemporaryDirectory(prefix="mldebt-example-") as directory:
        root = Path(directory)
        for rel, text in {**example.files, example.path: example.code}.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        # The example's own config applies (an example may carry a pyproject.toml), with only
        # this rule selected; a suppression rule judges the other rules' suppressions, so
        # every rule the config selects runs and only its own findings are kept.
        settings = load_settings(root)
        if not issubclass(rule_by_id(rule_id), SuppressionRule):
            settings = dataclasses.replace(settings, select=(rule_id,), ignore=())
        report = scan(root, settings, jobs=1)
    return [f for f in report.findings if f.path == example.path and f.rule == rule_id], report.diagnostics
