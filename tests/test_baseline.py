"""Baselines: record today's findings, report only new ones, survive edits, list stale entries."""

from __future__ import annotations

import json

from conftest import write_tree

TRAIN = """import pickle
import torch


def load_model(path):
    return torch.load(path, weights_only=False)


def load_cache(handle):
    return pickle.load(handle)
"""


def _baseline(run_cli, repo, *args):
    result = run_cli("baseline", repo, *args)
    assert result.exit_code == 0, result.output
    return repo / ".mldebt-baseline.json"


def test_baseline_file_is_sorted_one_entry_per_line(tmp_path, run_cli):
    repo = write_tree(tmp_path, {"b.py": TRAIN, "a.py": TRAIN})
    path = _baseline(run_cli, repo)
    text = path.read_text()
    entries = json.loads(text)["findings"]
    assert [(e["path"], e["rule"]) for e in entries] == [
        ("a.py", "MLD401"), ("a.py", "MLD402"), ("b.py", "MLD401"), ("b.py", "MLD402"),
    ]
    entry_lines = [line for line in text.splitlines() if '"fingerprint"' in line]
    assert len(entry_lines) == 4 and all(json.loads(line.strip().rstrip(",")) for line in entry_lines)
    assert run_cli("baseline", repo).exit_code == 0 and path.read_text() == text  # deterministic


def test_scan_with_baseline_reports_only_new_findings(tmp_path, run_cli, scan_json):
    repo = write_tree(tmp_path, {"train.py": TRAIN})
    path = _baseline(run_cli, repo)
    result = run_cli("scan", repo, "--baseline", path)
    assert result.exit_code == 0
    assert "0 finding(s)" in result.stdout and "2 baselined" in result.stdout
    write_tree(repo, {"train.py": TRAIN + "\n\ndef more(p):\n    return torch.load(p)\n"})
    code, doc = scan_json(repo, "--baseline", path)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("MLD402", 14)]
    assert doc["metrics"]["baselined"] == 2 and doc["baseline"]["stale"] == []


def test_baseline_survives_line_shifts_edits_elsewhere_and_reordering(tmp_path, run_cli, scan_json):
    repo = write_tree(tmp_path, {"train.py": TRAIN})
    path = _baseline(run_cli, repo)
    shifted = '"""A docstring added on top."""\n\nimport os\n\n' + TRAIN
    edited = TRAIN.replace("def load_cache(handle):", "def load_cache(handle):\n    handle.seek(0)  # edited")
    first, second = TRAIN.split("\n\n\ndef load_cache")
    reordered = "import pickle\nimport torch\n\n\ndef load_cache" + second + "\n\n" + first.split("\n\n\n", 1)[1] + "\n"
    assert reordered.index("load_cache") < reordered.index("load_model")
    for variant in (shifted, edited, reordered):
        write_tree(repo, {"train.py": variant})
        code, doc = scan_json(repo, "--baseline", path)
        assert (code, doc["findings"], doc["metrics"]["baselined"]) == (0, [], 2), variant


def test_multiset_matching_counts_identical_lines(tmp_path, run_cli, scan_json):
    line = "obj = pickle.load(f)\n"
    repo = write_tree(tmp_path, {"a.py": "import pickle\n" + line})
    path = _baseline(run_cli, repo)
    write_tree(repo, {"a.py": "import pickle\n" + line + line})
    _, doc = scan_json(repo, "--baseline", path)
    assert len(doc["findings"]) == 1 and doc["metrics"]["baselined"] == 1


def test_stale_entries_are_listed_and_update_only_shrinks(tmp_path, run_cli, scan_json):
    repo = write_tree(tmp_path, {"train.py": TRAIN})
    path = _baseline(run_cli, repo)
    write_tree(repo, {"train.py": TRAIN.replace("weights_only=False", "weights_only=True")})
    result = run_cli("scan", repo, "--baseline", path)
    assert result.exit_code == 0
    assert "Stale baseline entries (1 in" in result.stdout and "train.py:6 MLD402" in result.stdout
    _, doc = scan_json(repo, "--baseline", path)
    assert [e["rule"] for e in doc["baseline"]["stale"]] == ["MLD402"]
    write_tree(repo, {"new.py": "import pickle\npickle.load(f)\n"})  # new findings never enter on --update
    assert run_cli("baseline", repo, "--update").exit_code == 0
    assert [e["rule"] for e in json.loads(path.read_text())["findings"]] == ["MLD401"]


def test_entries_of_rules_not_run_are_not_stale(tmp_path, run_cli, scan_json):
    repo = write_tree(tmp_path, {"train.py": TRAIN})
    path = _baseline(run_cli, repo)
    _, doc = scan_json(repo, "--baseline", path, "--select", "MLD401")
    assert doc["baseline"] == {"file": str(path), "matched": 1, "stale": []}


def test_baseline_from_config_resolves_against_the_config_file(tmp_path, run_cli, scan_json):
    repo = write_tree(tmp_path, {"train.py": TRAIN, "pyproject.toml": '[tool.mldebt]\nbaseline = "ci/base.json"\n'})
    (repo / "ci").mkdir()
    assert run_cli("baseline", repo).exit_code == 0
    assert (repo / "ci" / "base.json").is_file() and not (repo / ".mldebt-baseline.json").exists()
    code, doc = scan_json(repo)
    assert (code, doc["findings"], doc["metrics"]["baselined"]) == (0, [], 2)


def test_missing_or_broken_baseline_is_exit_2(tmp_path, run_cli):
    repo = write_tree(tmp_path / "repo", {"train.py": TRAIN})
    result = run_cli("scan", repo, "--baseline", tmp_path / "none.json")
    assert result.exit_code == 2 and "does not exist (create it with `mldebt baseline" in result.stderr
    for broken in ("{", '{"tool": "mldebt", "version": 1, "findings": [{"path": 1}]}', "[]"):
        (tmp_path / "bad.json").write_text(broken)
        result = run_cli("scan", repo, "--baseline", tmp_path / "bad.json")
        assert result.exit_code == 2 and "is not a valid baseline" in result.stderr, broken
        assert "Traceback" not in result.output


def test_scanning_some_files_neither_reports_nor_calls_stale_the_others(tmp_path, run_cli, scan_json):
    repo = write_tree(tmp_path, {"pyproject.toml": "[tool.mldebt]\n", "a.py": TRAIN, "b.py": TRAIN})
    path = _baseline(run_cli, repo)
    write_tree(repo, {"a.py": TRAIN + "x = pickle.load(g)\n"})
    _, doc = scan_json(repo / "a.py", "--baseline", path)
    assert [(f["path"], f["line"]) for f in doc["findings"]] == [("a.py", 11)]
    assert doc["baseline"]["matched"] == 2 and doc["baseline"]["stale"] == []


def test_the_baseline_setting_keeps_the_file_cache():
    from mldebt.settings import Settings

    assert Settings(baseline="a/.mldebt-baseline.json").file_phase_digest() == Settings().file_phase_digest()
