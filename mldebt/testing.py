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
from mldebt.rule import Invalid, Valid
from mldebt.settings import load_settings


def run_example(rule_id: str, example: Valid | Invalid) -> tuple[list[Finding], list[Diagnostic]]:
    """Findings of `rule_id` in `example.path`, and every diagnostic, for the example's repo."""
    with tempfile.TemporaryDirectory(prefix="mldebt-example-") as directory:
        root = Path(directory)
        for rel, text in {**example.files, example.path: example.code}.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        # The example's own config applies (an example may carry a pyproject.toml), with only
        # this rule selected.
        settings = dataclasses.replace(load_settings(root), select=(rule_id,), ignore=())
        report = scan(root, settings, jobs=1)
    return [f for f in report.findings if f.path == example.path], report.diagnostics
