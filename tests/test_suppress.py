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
    assert [f["line"] for f in doc["findings"] if f["rule"] == "MLD401"] == [2]  # the bare one suppressed nothing


def _unused(doc):
    """MLD208 findings as (path, cell, line, column, message)."""
    return [
        (f["path"], f.get("cell"), f["line"], f["column"], f["message"]) for f in doc["findings"] if f["rule"] == "MLD208"
    ]


STALE = {
    "a.py": (
        "import pickle, json\n"
        "x = pickle.load(f)  # mldebt: ignore[MLD401]\n"
        "y = json.load(f)  # mldebt: ignore[MLD401]\n"
        "z = pickle.load(f)  # mldebt: ignore[MLD401, unpinned-torch-hub]\n"
    ),
    "tests/test_a.py": "import json\ny = json.load(f)  # mldebt: ignore[MLD401]\n",  # MLD4 does not run on tests
}


def test_a_suppression_that_suppresses_nothing_is_an_info_finding(tmp_path, scan_json):
    write_tree(tmp_path, STALE)
    code, doc = scan_json(tmp_path)
    assert code == 0  # info: below the default gate
    assert _unused(doc) == [
        ("a.py", None, 3, 19, "`# mldebt: ignore[MLD401]` suppresses nothing here"),
        ("a.py", None, 4, 21, "`unpinned-torch-hub` in `# mldebt: ignore[MLD401, unpinned-torch-hub]` suppresses nothing here"),
    ]
    assert [(f["rule"], f["severity"], f["category"]) for f in doc["findings"]] == [
        ("MLD208", "info", "dead-experimental-codepath")
    ] * 2
    _, warm = scan_json(tmp_path)  # from the cache: which codes were used survives it
    assert _unused(warm) == _unused(doc)


@pytest.mark.parametrize(
    ("args", "config"),
    [
        (("--select", "MLD402,MLD208"), ""),  # MLD401 did not run: the comments may still be needed
        (("--ignore", "MLD401"), ""),
        ((), '[tool.mldebt]\nignore = ["MLD4"]\n'),
        ((), '[tool.mldebt.per-file-ignores]\n"a.py" = ["pickle-deserialization"]\n'),
        (("--ignore", "MLD208"), ""),
    ],
)
def test_a_suppression_of_a_deselected_rule_is_not_unused(tmp_path, scan_json, args, config):
    write_tree(tmp_path, {**STALE, "pyproject.toml": config})
    _, doc = scan_json(tmp_path, *args)
    assert [f for f in _unused(doc) if f[2] == 3] == []


def test_files_as_arguments_report_only_their_stale_suppressions(tmp_path, scan_json):
    write_tree(tmp_path, {**STALE, "b.py": "import json\ny = json.load(f)  # mldebt: ignore[MLD401]\n"})
    _, doc = scan_json(tmp_path / "b.py")
    assert [(path, line) for path, _, line, _, _ in _unused(doc)] == [("b.py", 2)]


@pytest.mark.parametrize(
    "text",
    [
        "import json\n# mldebt: ignore[MLD208]\ny = json.load(f)  # mldebt: ignore[MLD401]\n",
        "# mldebt: ignore-file[unused-suppression]\nimport json\ny = json.load(f)  # mldebt: ignore[MLD401]\n",
        "import json\ny = json.load(f)  # mldebt: ignore[MLD401, MLD208]\n",
    ],
)
def test_mld208_is_suppressed_like_any_rule(tmp_path, scan_json, text):
    write_tree(tmp_path, {"a.py": text})
    _, doc = scan_json(tmp_path)
    assert _unused(doc) == [] and doc["metrics"]["suppressed"] == (0 if "MLD401, MLD208" in text else 1)


def test_a_suppression_whose_finding_is_baselined_is_used(tmp_path, scan_json, run_cli):
    write_tree(tmp_path, {"a.py": "import pickle\nx = pickle.load(f)\n", "b.py": "import json\ny = json.load(f)  # mldebt: ignore[MLD401]\n"})
    assert run_cli("baseline", tmp_path, "-o", tmp_path / "baseline.json").exit_code == 0
    _, doc = scan_json(tmp_path, "--baseline", tmp_path / "baseline.json")
    assert doc["findings"] == [] and doc["metrics"]["baselined"] == 2  # MLD401 in a.py, MLD208 in b.py
    # The baselined finding gets its suppression: it is used (and its baseline entry stale).
    write_tree(tmp_path, {"a.py": "import pickle\nx = pickle.load(f)  # mldebt: ignore[MLD401]\n"})
    _, doc = scan_json(tmp_path, "--baseline", tmp_path / "baseline.json")
    assert doc["findings"] == [] and [e["rule"] for e in doc["baseline"]["stale"]] == ["MLD401"]


def test_notebook_stale_suppressions_name_the_cell_and_the_ipynb_line(tmp_path, scan_json):
    from conftest import notebook

    write_tree(tmp_path, {"nb.ipynb": notebook(("markdown", "x"), ("code", "import json\ny = 1  # mldebt: ignore[MLD401]"))})
    _, doc = scan_json(tmp_path)
    assert _unused(doc) == [("nb.ipynb", 1, 2, 8, "`# mldebt: ignore[MLD401]` suppresses nothing here")]


def test_text_that_quotes_a_suppression_is_not_one(tmp_path, scan_json):
    write_tree(tmp_path, {"doc.py": 'HELP = "write `# mldebt: ignore[{rule}]` on the line"\n"""# mldebt: ignore"""\n'})
    _, doc = scan_json(tmp_path)
    assert doc["diagnostics"] == []
