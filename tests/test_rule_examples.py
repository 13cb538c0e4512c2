"""Every rule's VALID examples must stay silent and its INVALID examples must be flagged."""

from __future__ import annotations

import pytest

from mldebt.registry import all_rules
from mldebt.testing import run_example

CASES = [
    pytest.param(rule, example, valid, id=f"{rule.id}-{'valid' if valid else 'invalid'}-{i}")
    for rule in all_rules()
    for valid, examples in ((True, rule.valid_examples()), (False, rule.invalid_examples()))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "example", "valid"), CASES)
def test_example(rule, example, valid):
    findings, diagnostics = run_example(rule.id, example)
    assert not diagnostics, diagnostics
    if valid:
        assert findings == [], f"false positive: {findings}"
        return
    assert findings, f"{rule.id} missed:\n{example.code}"
    assert all(f.rule == rule.id for f in findings)
    if example.line is not None:
        assert example.line in {f.line for f in findings}
    if example.message is not None:
        assert any(example.message in f.message or example.message in (f.hint or "") for f in findings), [
            f.message for f in findings
        ]
