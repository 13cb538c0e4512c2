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


def _diagnostics(doc, kind):
    return [(d["path"], d.get("line"), d["message"]) for d in doc["diagnostics"] if d["kind"] == kind]


def test_bare_or_unknown_suppressions_are_diagnostics_with_the_line(tmp_path, scan_json):
    write_tree(
        tmp_path,
        {
            "a.py": "import pickle\nx = pickle.load(f)  # mldebt: ignore\ny = 1  # mldebt: ignore[MLD4O1, MLD401]\n",
            "requirements.txt": "# mldebt: ignore-file[]\nnumpy==1.26.4\n",
        },
    )
    _, doc = scan_json(tmp_path)
    found = _diagnostics(doc, "suppression")
    assert [(path, line) for path, line, _ in found] == [("a.py", 2), ("a.py", 3), ("requirements.txt", 1)]
    assert "without rule codes suppresses nothing" in found[0][2] and "`MLD4O1`" in found[1][2]
    assert [f["line"] for f in doc["findings"]] == [2]  # the bare one suppressed nothing


def test_a_suppression_that_suppresses_nothing_is_reported(tmp_path, scan_json):
    write_tree(
        tmp_path,
        {
            "a.py": "import pickle, json\nx = pickle.load(f)  # mldebt: ignore[MLD401]\ny = json.load(f)  # mldebt: ignore[MLD401]\n",
            "tests/test_a.py": "import json\ny = json.load(f)  # mldebt: ignore[MLD401]\n",  # MLD4 does not run on tests
        },
    )
    _, doc = scan_json(tmp_path)
    assert doc["findings"] == []
    assert _diagnostics(doc, "unused-suppression") == [
        ("a.py", 3, "`# mldebt: ignore[MLD401]` suppresses nothing here; remove it"),
    ]
    _, doc = scan_json(tmp_path, "--select", "MLD402")  # a rule that did not run: maybe still needed
    assert _diagnostics(doc, "unused-suppression") == []


def test_suppression_used_by_a_project_rule_is_not_unused(tmp_path, scan_json):
    write_tree(
        tmp_path,
        {
            "train.py": "import torch\nopt = torch.optim.AdamW(p, lr=0.05)  # mldebt: ignore[MLD104, MLD101]\n",
            "configs/train.yaml": "optim:\n  lr: 0.05\n",
        },
    )
    _, doc = scan_json(tmp_path)
    assert doc["findings"] == [] and _diagnostics(doc, "unused-suppression") == []


def test_notebook_suppression_diagnostics_name_the_cell(tmp_path, scan_json):
    from conftest import notebook

    write_tree(tmp_path, {"nb.ipynb": notebook(("markdown", "x"), ("code", "import json\ny = 1  # mldebt: ignore[MLD401]"))})
    _, doc = scan_json(tmp_path)
    assert _diagnostics(doc, "unused-suppression") == [
        ("nb.ipynb", None, "cell 1, line 2: `# mldebt: ignore[MLD401]` suppresses nothing here; remove it"),
    ]


def test_text_that_quotes_a_suppression_is_not_one(tmp_path, scan_json):
    write_tree(tmp_path, {"doc.py": 'HELP = "write `# mldebt: ignore[{rule}]` on the line"\n"""# mldebt: ignore"""\n'})
    _, doc = scan_json(tmp_path)
    assert doc["diagnostics"] == []
