"""SARIF for GitHub code scanning: valid against the official 2.1.0 schema (the OASIS errata01
schema, committed as test data) for every fixture, and carrying what code scanning reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import notebook, write_tree

from mldebt.engine import scan
from mldebt.registry import rule_by_id
from mldebt.reporters import render

jsonschema = pytest.importorskip("jsonschema", reason="a test dependency: pip install -e .[test]")
ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FIXTURES = sorted(p for p in (ROOT / "fixtures").iterdir() if p.is_dir())


def _validate(document: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_every_fixture_gives_schema_valid_sarif(fixture):
    document = json.loads(render(scan(fixture, jobs=1), "sarif"))
    assert document["runs"][0]["results"], "a fixture without findings proves nothing here"
    _validate(document)


def test_the_validator_rejects_what_the_schema_forbids():
    with pytest.raises(jsonschema.ValidationError):
        _validate({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "fatal"}]}]})


def _sarif(root, **kwargs):
    report = scan(root, jobs=1)
    for key, value in kwargs.items():
        setattr(report, key, value)
    document = json.loads(render(report, "sarif"))
    _validate(document)
    return document["runs"][0]


def test_notebook_result_points_at_the_line_of_the_ipynb_file(tmp_path):
    text = json.dumps(json.loads(notebook(("markdown", "# x"), ("code", "import yaml\n\ncfg = yaml.unsafe_load(t)\n"))), indent=1)
    write_tree(tmp_path, {"nb.ipynb": text})
    (result,) = _sarif(tmp_path)["results"]
    line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert text.splitlines()[line - 1].strip() == '"cfg = yaml.unsafe_load(t)\\n"'
    assert result["properties"]["cell"] == 1 and result["properties"]["cellLine"] == 3


def test_unsafe_deserialization_rules_are_security_alerts_with_cwe_502(tmp_path):
    write_tree(tmp_path, {"a.py": "import pickle\npickle.load(f)\n"})
    rules = {r["id"]: r["properties"] for r in _sarif(tmp_path)["tool"]["driver"]["rules"]}
    assert rules["MLD401"]["tags"][:2] == ["security", "external/cwe/cwe-502"]
    assert 4.0 <= float(rules["MLD401"]["security-severity"]) < 9.0
    assert rules["MLD402"]["security-severity"] == "8.8"  # an error: high
    assert "security-severity" not in rules["MLD101"] and "security" not in rules["MLD101"]["tags"]
    assert all(p["precision"] == rule_by_id(rule).confidence.label for rule, p in rules.items())


def test_cross_file_findings_list_their_other_sites(tmp_path):
    write_tree(
        tmp_path,
        {
            "train.py": "import torch, yaml\ncfg = yaml.safe_load(open('configs/train.yaml'))\nopt = torch.optim.AdamW(p, lr=0.05)\n",
            "configs/train.yaml": "optim:\n  lr: 0.05\n",
        },
    )
    run = _sarif(tmp_path)
    (result,) = [r for r in run["results"] if r["ruleId"] == "MLD104"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "configs/train.yaml"
    assert related["physicalLocation"]["region"] == {"startLine": 2}


def test_paths_are_relative_to_the_repository_root(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    write_tree(tmp_path, {"ml/pyproject.toml": "[tool.mldebt]\n", "ml/src/a.py": "import pickle\npickle.load(f)\n"})
    out = tmp_path / "r.sarif"
    result = run_cli("scan", tmp_path / "ml" / "src", "-o", f"sarif:{out}")
    assert result.exit_code == 1, result.output
    (finding,) = json.loads(out.read_text())["runs"][0]["results"]
    assert finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "ml/src/a.py"
