"""The output formats other than JSON (which test_cli covers)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import notebook, write_tree

from mldebt.engine import scan
from mldebt.reporters import render


@pytest.fixture
def report(tmp_path):
    write_tree(
        tmp_path,
        {
            "train.py": "import torch, pickle\nstate = torch.load(CKPT, weights_only=False)\nobj = pickle.load(f)\n",
            "nb.ipynb": notebook(("markdown", "x"), ("code", "import yaml\ncfg = yaml.unsafe_load(t)")),
            "broken.py": "def (:\n",
        },
    )
    return scan(tmp_path, jobs=1)


def test_sarif(report):
    doc = json.loads(render(report, "sarif"))
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == report.rules_run
    results = run["results"]
    assert len(results) == 3
    torch = next(r for r in results if r["ruleId"] == "MLD402")
    assert torch["level"] == "error"
    assert rules[torch["ruleIndex"]]["id"] == "MLD402"
    region = torch["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 9, "endLine": 2, "endColumn": 45}
    assert torch["partialFingerprints"]["mldebt/v1"]
    notebook_result = next(r for r in results if r["ruleId"] == "MLD404")
    assert notebook_result["locations"][0]["physicalLocation"]["region"].keys() == {"startLine"}
    assert notebook_result["properties"]["cell"] == 1
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("broken.py")


def test_github_annotations(report):
    lines = render(report, "github").splitlines()
    assert re.match(r"::error file=nb\.ipynb,line=\d+,title=MLD404 yaml-unsafe-load::cell 1, line 2:", lines[0])
    assert any(line.startswith("::error file=train.py,line=2,col=9,endLine=2,endColumn=45,title=MLD402") for line in lines)
    assert lines[-1].startswith("::warning file=broken.py,title=mldebt parse-error::")


def test_markdown(report):
    text = render(report, "markdown")
    assert "| unsafe-deserialization | 2 | 1 | 0 | 3 |" in text
    assert "| `train.py:2:9` | MLD402 `torch-load-unrestricted` | error |" in text
    assert "`nb.ipynb[cell 1]:2:7`" in text


def test_text_has_no_escape_codes_without_color(report):
    text = render(report, "text")
    assert "\x1b[" not in text
    assert "train.py:3:7 MLD401 warning `pickle.load`" in text
    colored = render(report, "text", color=True)
    assert "\x1b[" in colored
