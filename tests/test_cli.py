"""The command-line contract: formats, output files, selection, gates and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import write_tree

from mldebt import __version__, engine

UNSAFE = "import torch, pickle\nstate = torch.load(CKPT, weights_only=False)\nobj = pickle.load(f)\n"


def test_text_report_groups_findings_with_hints(tmp_path, run_cli):
    write_tree(tmp_path, {"train.py": UNSAFE})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "train.py"
    assert "train.py:2:9 MLD402 error `torch.load` with `weights_only=False`" in result.stdout
    assert "hint: pass `weights_only=True`" in result.stdout
    assert "unsafe-deserialization" in result.stdout  # the summary table
    assert "2 finding(s) in 1 file(s) scanned (1 python)" in result.stdout


def test_json_document(tmp_path, scan_json):
    write_tree(tmp_path, {"train.py": UNSAFE, "requirements.txt": "numpy==1.26.4\n"})
    code, doc = scan_json(tmp_path)
    assert code == 1
    assert doc["schema_version"] == "1.1" and doc["tool"] == {"name": "mldebt", "version": __version__}
    first = doc["findings"][0]
    assert {k: first[k] for k in ("rule", "category", "severity", "path", "line", "column", "end_line", "end_column")} == {
        "rule": "MLD402", "category": "unsafe-deserialization", "severity": "error", "path": "train.py",
        "line": 2, "column": 9, "end_line": 2, "end_column": 45,
    }
    assert len(first["fingerprint"]) == 16
    assert doc["metrics"]["files_by_kind"] == {"python": 1, "requirements": 1}


def test_output_file_is_written_whole_and_no_temporary_is_left(tmp_path, run_cli):
    repo = write_tree(tmp_path / "repo", {"train.py": UNSAFE})
    out = tmp_path / "report.json"
    result = run_cli("scan", repo, "--format", "json", "--output", out)
    assert result.exit_code == 1
    assert json.loads(out.read_text())["metrics"]["findings"] == 2
    assert {p.name for p in tmp_path.iterdir()} == {"repo", "report.json"}


def test_output_into_missing_folder_is_a_clear_error(tmp_path, run_cli):
    write_tree(tmp_path, {"train.py": UNSAFE})
    result = run_cli("scan", tmp_path, "-o", tmp_path / "nope" / "r.json")
    assert result.exit_code == 2
    assert "mldebt: error: cannot write" in result.stderr and "Traceback" not in result.output


def test_select_ignore_by_id_prefix_and_category(tmp_path, scan_json):
    write_tree(tmp_path, {"train.py": UNSAFE})
    rules = lambda doc: sorted({f["rule"] for f in doc["findings"]})  # noqa: E731
    assert rules(scan_json(tmp_path, "--select", "MLD402")[1]) == ["MLD402"]
    assert rules(scan_json(tmp_path, "--ignore", "torch-load-unrestricted")[1]) == ["MLD401"]
    assert rules(scan_json(tmp_path, "--select", "unsafe-deserialization")[1]) == ["MLD401", "MLD402"]
    assert rules(scan_json(tmp_path, "--select", "MLD4", "--ignore", "MLD401,MLD402")[1]) == []


def test_unknown_selector_is_exit_2_with_suggestion(tmp_path, run_cli):
    result = run_cli("scan", tmp_path, "--select", "MLD4O1")
    assert result.exit_code == 2
    assert "did you mean `MLD401`" in result.stderr


def test_fail_on_gate(tmp_path, run_cli):
    write_tree(tmp_path, {"a.py": "import pickle\npickle.load(f)\n"})  # a warning
    assert run_cli("scan", tmp_path).exit_code == 1
    assert run_cli("scan", tmp_path, "--fail-on", "error").exit_code == 0
    assert run_cli("scan", tmp_path, "--exit-zero").exit_code == 0
    write_tree(tmp_path, {"pyproject.toml": '[tool.mldebt]\nfail-on = "error"\n'})
    assert run_cli("scan", tmp_path).exit_code == 0
    assert run_cli("scan", tmp_path, "--fail-on", "info").exit_code == 1


def test_clean_repo_exits_0(tmp_path, run_cli):
    write_tree(tmp_path, {"a.py": "import json\njson.load(f)\n"})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 0 and "0 finding(s)" in result.stdout


def test_missing_path_is_exit_2(tmp_path, run_cli):
    result = run_cli("scan", tmp_path / "does-not-exist")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_diagnostics_do_not_change_exit_code_unless_asked(tmp_path, run_cli):
    write_tree(tmp_path, {"bad.py": "def (:\n"})
    assert run_cli("scan", tmp_path).exit_code == 0
    assert run_cli("scan", tmp_path, "--fail-on-diagnostics").exit_code == 1


def test_json_is_identical_for_one_and_two_workers(tmp_path, run_cli, monkeypatch):
    monkeypatch.setattr(engine, "MIN_BYTES_FOR_POOL", 1)  # a pool even for this little repository
    files = {f"pkg{i % 7}/mod{i}.py": UNSAFE * (i % 3 + 1) for i in range(90)}
    files["nb.ipynb"] = '{"cells": []}'
    files["broken.py"] = "print 'x'\n"
    write_tree(tmp_path, files)
    one = run_cli("scan", tmp_path, "-f", "json", "--no-cache", "--jobs", "1").stdout
    two = run_cli("scan", tmp_path, "-f", "json", "--no-cache", "--jobs", "2").stdout  # not the report cached by the first
    assert json.loads(one)["metrics"]["files"] == 92
    assert one == two


def test_score_cites_the_same_finding_whatever_the_order_files_were_analysed_in(tmp_path, run_cli, monkeypatch):
    """A pool analyses the largest files first; the score's "first at" must not follow that."""
    monkeypatch.setattr(engine, "MIN_BYTES_FOR_POOL", 1)
    files = {
        "train.py": "import torch\nfrom transformers import AutoModel\ntorch.manual_seed(0)\n"
        "model = AutoModel.from_pretrained('org/model')\nopt = torch.optim.SGD(model.parameters())\n"
        "for epoch in range(3):\n    model(torch.ones(1)).sum().backward()\n    opt.step()\n",
    }
    for i in range(6):  # the later the path, the larger the file
        files[f"mod{i}.py"] = "from transformers import AutoModel\n" + "# padding\n" * (40 * i) + f"m = AutoModel.from_pretrained('org/m{i}')\n"
    write_tree(tmp_path, files)
    one = json.loads(run_cli("scan", tmp_path, "-f", "json", "--no-cache", "--jobs", "1").stdout)
    two = json.loads(run_cli("scan", tmp_path, "-f", "json", "--no-cache", "--jobs", "2").stdout)
    details = [t["detail"] for t in one["score"]["tests"] if "lowered by" in t["detail"]]
    assert details and "first at mod0.py:" in details[0]
    assert one == two


def test_version_and_python_dash_m(tmp_path):
    out = subprocess.run([sys.executable, "-m", "mldebt", "--version"], capture_output=True, text=True, check=True)
    assert __version__ in out.stdout
    write_tree(tmp_path, {"a.py": UNSAFE})
    scan = subprocess.run([sys.executable, "-m", "mldebt", "scan", str(tmp_path), "-f", "json"], capture_output=True, text=True)
    assert scan.returncode == 1 and json.loads(scan.stdout)["metrics"]["findings"] == 2
    assert scan.stderr == ""  # no progress bar when output is piped


def test_rules_and_explain(run_cli):
    listing = run_cli("rules")
    assert listing.exit_code == 0 and "MLD402" in listing.stdout and "torch-load-unrestricted" in listing.stdout
    doc = run_cli("explain", "MLD402")
    assert doc.exit_code == 0
    for part in ("# MLD402 torch-load-unrestricted", "## Why it matters", "## References", "## Flagged", "## Not flagged", "weights_only=True"):
        assert part in doc.stdout
    assert run_cli("explain", "pickle-deserialization").exit_code == 0
    bad = run_cli("explain", "MLD499")
    assert bad.exit_code == 2 and "unknown" in bad.stderr


def test_explain_a_prefix_or_category_lists_its_rules_and_near_misses_name_their_family(run_cli):
    for selector in ("MLD4", "unsafe-deserialization"):
        result = run_cli("explain", selector)
        assert result.exit_code == 0
        assert [line.split()[0] for line in result.stdout.splitlines() if line.startswith("MLD")] == [
            "MLD401", "MLD402", "MLD403", "MLD404", "MLD405", "MLD406",
        ]
    near = run_cli("explain", "MLD450")
    assert near.exit_code == 2 and "the MLD4 rules are MLD401, MLD402" in near.stderr
    nowhere = run_cli("explain", "MLD9")
    assert nowhere.exit_code == 2 and "MLD4 (unsafe-deserialization)" in nowhere.stderr
