"""Cross-file findings list the other sites their message names (JSON `related`, SARIF
`relatedLocations`), so that code scanning can link them. Checked on every project rule's
flagged examples: a rule whose message starts naming another file of the example, or a
`file:line`, without listing it as a related site fails here."""

from __future__ import annotations

import json
import re

import pytest
from conftest import notebook, write_tree

from mldebt.engine import scan
from mldebt.registry import all_rules
from mldebt.reporters import render
from mldebt.rule import ProjectRule
from mldebt.testing import run_example

CASES = [
    pytest.param(rule, example, id=f"{rule.id}-{i}")
    for rule in all_rules() if issubclass(rule, ProjectRule)
    for i, example in enumerate(rule.invalid_examples()) if example.files
]


def _named(path: str, message: str) -> list[int | None]:
    """Where `message` names `path` as a file: the line after `path:`, else None."""
    return [
        int(m.group(1)) if m.group(1) else None
        for m in re.finditer(rf"(?<![\w./-]){re.escape(path)}(?::(\d+))?(?![\w/-])", message)
    ]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_other_files_a_message_names_are_related_sites(rule, example):
    findings, _ = run_example(rule.id, example)
    assert findings
    for finding in findings:
        related = {(site.path, site.line) for site in finding.related}
        for path in {**example.files, example.path: ""}:
            for line in _named(path, finding.message) if path != finding.path else ():
                assert path in {p for p, _ in related}, (finding.message, finding.related)
                assert line is None or (path, line) in related, (finding.message, finding.related)


def test_a_related_site_in_a_notebook_has_its_cell_and_ipynb_line(tmp_path):
    nb = json.dumps(json.loads(notebook(
        ("markdown", "# train"), ("code", "import torch\nmodel = Net()\ntorch.save(model.state_dict(), 'model.pt')\n"),
    )), indent=1)
    write_tree(tmp_path, {"train.ipynb": nb, "serve.py": "import torch\nsd = torch.load('model.pt', weights_only=True)\n"})
    report = scan(tmp_path, jobs=1)
    (finding,) = [f for f in report.findings if f.rule == "MLD501"]
    ipynb_line = 1 + next(i for i, line in enumerate(nb.splitlines()) if "torch.save" in line)
    assert [site.to_dict() for site in finding.related] == [
        {"path": "train.ipynb", "line": 3, "cell": 1, "notebook_line": ipynb_line}
    ]
    (result,) = [r for r in json.loads(render(report, "sarif"))["runs"][0]["results"] if r["ruleId"] == "MLD501"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["region"] == {"startLine": ipynb_line}
    assert related["message"]["text"] == "cell 1, line 3"


def test_a_notebook_finding_gives_its_ipynb_line_in_json(tmp_path, scan_json):
    nb = json.dumps(json.loads(notebook(("markdown", "# x"), ("code", "import pickle\nw = pickle.load(f)\n"))), indent=1)
    write_tree(tmp_path, {"nb.ipynb": nb})
    _, doc = scan_json(tmp_path)
    (finding,) = doc["findings"]
    assert (finding["cell"], finding["line"]) == (1, 2)
    assert finding["notebook_line"] == 1 + next(i for i, line in enumerate(nb.splitlines()) if "pickle.load" in line)
