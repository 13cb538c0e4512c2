"""A scan of a few files tells the project rules whose findings the score does not read which
paths are reported (`ProjectRule.reports`), so that they can skip the others' work. Skipping
must never change what is printed: for every such rule, on each of its examples, a scan of
each file reports exactly the full scan's findings in that file, and the same score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_tree
from mldebt.engine import analyzer, scan
from mldebt.project import Project
from mldebt.project.rubric import reads_findings_of
from mldebt.registry import all_rules
from mldebt.reporters import render
from mldebt.rule import Invalid, ProjectRule
from mldebt.settings import load_settings

NARROWED = sorted(
    (rule for rule in all_rules() if issubclass(rule, ProjectRule) and not reads_findings_of(rule.id, rule.category.value)),
    key=lambda rule: rule.id,
)


def _json(root: Path, only: list[str] | None) -> dict:
    return json.loads(render(scan(root, load_settings(root), jobs=1, only=only), "json"))


def test_the_score_reads_the_findings_of_its_categories_only():
    assert reads_findings_of("MLD701", "reproducibility") and reads_findings_of("MLD501", "undeclared-consumer")
    assert not reads_findings_of("MLD101", "configuration-debt") and not reads_findings_of("MLD802", "glue-code")
    assert {"MLD101", "MLD202", "MLD203", "MLD204", "MLD207", "MLD402", "MLD802"} <= {rule.id for rule in NARROWED}


@pytest.mark.parametrize("rule", NARROWED, ids=lambda rule: rule.id)
def test_a_scan_of_one_file_reports_what_the_full_scan_reports_there(rule, tmp_path):
    """Every example the rule flags, scanned with every rule on, then once per file of it."""
    flagged = 0
    for number, example in enumerate(rule.INVALID):
        if isinstance(example, str):
            example = Invalid(example)
        root = tmp_path / str(number)
        write_tree(root, {**example.files, example.path: example.code})
        full = _json(root, None)
        flagged += sum(f["rule"] == rule.id for f in full["findings"])
        for path in sorted({example.path, *example.files}):
            alone = _json(root, [path])
            assert alone["findings"] == [f for f in full["findings"] if f["path"] == path], (example, path)
            assert alone["score"] == full["score"], (example, path)
    assert flagged, f"no example of {rule.id} is flagged with every rule on: the comparison would prove nothing"


def test_a_rule_told_other_paths_skips_them_and_keeps_its_findings_at_the_reported_one(tmp_path):
    """MLD402 on two files: told only one, it reports that one's finding and not the other's."""
    unsafe = "import torch\nstate = torch.load('m.pt', weights_only=False)\n"
    write_tree(tmp_path, {"mldebt.toml": "", "a.py": unsafe, "b.py": unsafe})
    settings = load_settings(tmp_path)
    report = scan(tmp_path, settings, jobs=1)
    project = Project({r.path: (r.kind, r.facts) for r in report.files}, frozenset(r.path for r in report.files))
    rule = next(r for r in NARROWED if r.id == "MLD402")
    options = analyzer(tmp_path, settings).options[rule.id]
    assert sorted(f.path for f in rule(options).check(project)) == ["a.py", "b.py"]
    assert [f.path for f in rule(options, lambda path: path == "a.py").check(project)] == ["a.py"]
