"""`# mldebt: ignore[...]` in Python files and in manifests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import write_tree

from mldebt.discover import FileKind
from mldebt.engine import scan
from mldebt.extract import analyse
from mldebt.rule import Category, Confidence, Invalid, Severity, TextFinding, TextRule
from mldebt.suppress import Suppressions


@pytest.mark.parametrize(
    ("lines", "line", "suppressed"),
    [
        (["x = pickle.load(f)  # mldebt: ignore[MLD401]"], 1, True),
        (["x = pickle.load(f)  # mldebt: ignore[MLD4]"], 1, True),
        (["x = pickle.load(f)  # mldebt: ignore[pickle-deserialization]"], 1, True),
        (["x = pickle.load(f)  # mldebt: ignore[MLD402, MLD401]"], 1, True),
        (["x = pickle.load(f)  # mldebt: ignore[MLD402]"], 1, False),
        (["# mldebt: ignore[MLD401]", "x = pickle.load(f)"], 2, True),
        (["y = 1  # mldebt: ignore[MLD401]", "x = pickle.load(f)"], 2, False),  # not a comment-only line
        (["# mldebt: ignore[MLD401]", "", "x = pickle.load(f)"], 3, False),
        (["x = pickle.load(f)  # mldebt: ignore"], 1, False),  # codes are mandatory
        (["# mldebt: ignore-file[MLD4]", "", "", "x = pickle.load(f)"], 4, True),
    ],
)
def test_suppression_placement(lines, line, suppressed):
    assert Suppressions(lines).covers("MLD401", "pickle-deserialization", line) is suppressed


class UnpinnedForTest(TextRule):
    """Test-only rule: flags every requirement without `==`."""

    id = "MLD699"
    name = "unpinned-for-test"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    kinds = frozenset({FileKind.REQUIREMENTS, FileKind.DOCKERFILE})
    INVALID = [Invalid("torch\n", path="requirements.txt")]

    def check(self, source) -> Iterator[TextFinding]:
        for number, line in enumerate(source.lines, start=1):
            text = line.split("#", 1)[0].strip()
            if text and "==" not in text:
                yield TextFinding(number, f"`{text}` is not pinned")


def test_suppressions_work_in_manifests(tmp_path, monkeypatch):
    monkeypatch.setattr(analyse, "all_rules", lambda: (UnpinnedForTest,))
    monkeypatch.setattr(analyse.Settings, "enabled_rule_ids", lambda self: frozenset({"MLD699"}))
    monkeypatch.setattr(analyse.Settings, "options_for", lambda self, rule_id: None)
    write_tree(
        tmp_path,
        {
            "requirements.txt": "torch  # mldebt: ignore[MLD699]\n# mldebt: ignore[MLD6]\nnumpy\nscipy\n",
            "Dockerfile": "# mldebt: ignore[unpinned-for-test]\nFROM x\nRUN y\n",
        },
    )
    report = scan(tmp_path, jobs=1)
    assert [(f.path, f.line, f.column, f.end_column) for f in report.findings] == [
        ("Dockerfile", 3, 1, 6), ("requirements.txt", 4, 1, 6),
    ]
    assert report.suppressed == 3
