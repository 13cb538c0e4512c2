"""One scan, many reports (`-o FORMAT:FILE`), `--statistics` and the triage summary."""

from __future__ import annotations

import json

from conftest import write_tree

MIXED = (
    "import pickle, torch, yaml\n"
    "a = pickle.load(f)\n"
    "b = pickle.load(g)\n"
    "c = torch.load(p, weights_only=False)\n"
    "d = yaml.load(s)\n"
)


def test_repeated_outputs_come_from_one_scan(tmp_path, run_cli, monkeypatch):
    import mldebt.engine

    repo = write_tree(tmp_path / "repo", {"train.py": MIXED})
    calls = []
    real_scan = mldebt.engine.scan
    monkeypatch.setattr(mldebt.engine, "scan", lambda *a, **k: calls.append(1) or real_scan(*a, **k))
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(
        "scan", repo, "-o", f"sarif:{out / 'r.sarif'}", "-o", f"markdown:{out / 's.md'}", "-o", f"json:{out / 'r.json'}",
    )
    assert result.exit_code == 1 and len(calls) == 1
    assert result.stdout == ""  # every report went to a file
    assert json.loads((out / "r.sarif").read_text())["version"] == "2.1.0"
    assert (out / "s.md").read_text().startswith("## mldebt")
    assert json.loads((out / "r.json").read_text())["metrics"]["findings"] == 4
    assert sorted(p.name for p in out.iterdir()) == ["r.json", "r.sarif", "s.md"]  # no temporaries


def test_explicit_format_still_goes_to_stdout_next_to_files(tmp_path, run_cli):
    repo = write_tree(tmp_path / "repo", {"train.py": MIXED})
    result = run_cli("scan", repo, "--format", "github", "-o", f"json:{tmp_path / 'r.json'}")
    assert result.stdout.startswith("::error ") and (tmp_path / "r.json").is_file()
    result = run_cli("scan", repo, "--format", "json", "-o", tmp_path / "bare.json")
    assert result.stdout == "" and json.loads((tmp_path / "bare.json").read_text())["findings"]


def test_no_report_is_written_when_one_target_is_impossible(tmp_path, run_cli):
    repo = write_tree(tmp_path / "repo", {"train.py": MIXED})
    result = run_cli("scan", repo, "-o", f"json:{tmp_path / 'ok.json'}", "-o", f"sarif:{tmp_path / 'no' / 'r.sarif'}")
    assert result.exit_code == 2 and "folder" in result.stderr
    assert not (tmp_path / "ok.json").exists()


def test_unknown_output_format_is_exit_2(tmp_path, run_cli):
    repo = write_tree(tmp_path / "repo", {"train.py": MIXED})
    result = run_cli("scan", repo, "-o", f"xml:{tmp_path / 'r.xml'}")
    assert result.exit_code == 2 and "unknown output format `xml`" in result.stderr


def test_statistics_lists_rules_errors_first_then_by_count(tmp_path, run_cli):
    repo = write_tree(tmp_path, {"train.py": MIXED})
    result = run_cli("scan", repo, "--statistics")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["1", "MLD402"], ["1", "MLD404"], ["2", "MLD401"]]
    assert lines[0].split()[-1] == "error" and lines[2].split()[-1] == "warning"
    assert lines[-1] == "4 finding(s)"


def test_text_summary_names_errors_and_top_rules_at_the_end(tmp_path, run_cli):
    files = {f"m{i:02}.py": "import pickle\npickle.load(f)\n" for i in range(30)}
    files["z_last.py"] = "import torch\ntorch.load(p, weights_only=False)\n"
    result = run_cli("scan", write_tree(tmp_path, files))
    tail = result.stdout[result.stdout.index("Findings by category"):]
    assert "Errors (1), first:\n  z_last.py:2:1 MLD402" in tail
    assert "Top rules: MLD402 torch-load-unrestricted (1 error), MLD401 pickle-deserialization (30 warning)" in tail


def test_empty_folder_says_nothing_to_scan(tmp_path, run_cli):
    write_tree(tmp_path, {"README.md": "# hello\n"})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 0
    assert "mldebt: note: no file mldebt reads in ." in result.stderr


def _many(tmp_path, n):
    """n warnings (pickle) and n errors (torch.load), errors in the last files by path."""
    files = {f"a{i:03}.py": "import pickle\npickle.load(f)\n" for i in range(n)}
    files |= {f"z{i:03}.py": "import torch\ntorch.load(p, weights_only=False)\n" for i in range(n)}
    files["broken.py"] = "def (:\n"  # a diagnostic: annotated as a warning
    files["requirements.txt"] = "numpy==1.26.4\n"  # dependencies declared: no repository-level finding
    return write_tree(tmp_path, files)


def test_github_annotations_are_ordered_by_severity_capped_and_counted(tmp_path, run_cli):
    result = run_cli("scan", _many(tmp_path, 15), "--format", "github")
    lines = result.stdout.splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines]
    assert kinds == ["::error"] * 10 + ["::warning"] * 10 + ["::notice"]
    assert lines[-1].startswith("::notice title=mldebt::11 more annotation(s) not shown (5 error, 6 warning)")


def test_github_closing_notice_replaces_the_tenth_notice(tmp_path):
    from mldebt.engine import scan
    from mldebt.reporters import render

    files = {f"m{i:02}.py": "import torch\nopt = torch.optim.Adam(params, lr=3e-4)\n" for i in range(12)}
    files["requirements.txt"] = "numpy==1.26.4\n"  # dependencies declared: no repository-level finding
    report = scan(write_tree(tmp_path, files), jobs=1)
    assert [f.severity for f in report.findings] == ["info"] * 12
    lines = render(report, "github").splitlines()
    notices = [line for line in lines if line.startswith("::notice")]
    assert len(notices) == 10 and notices[-1].startswith("::notice title=mldebt::")


def test_markdown_stays_under_githubs_limit_keeping_errors_first(tmp_path):
    from mldebt.engine import scan
    from mldebt.reporters.markdown import render

    report = scan(_many(tmp_path, 40), jobs=1)
    full = render(report)
    assert "more finding(s) are not listed" not in full
    small = render(report, max_chars=4_000)
    assert len(small) < 4_000 + 400
    assert "| category | error | warning | info | total |" in small
    rows = [line for line in small.splitlines() if line.startswith("| `")]
    assert rows and all("| error |" in row for row in rows)
    assert f"*{len(report.findings) - len(rows)} more finding(s) are not listed here" in small
    assert "`mldebt scan -o json:FILE` (or `sarif:FILE`) writes the full report." in small  # nothing else written
    report.full_report_files = ("out/r.json",)
    assert "The full report is in `out/r.json`." in render(report, max_chars=4_000)
    assert "Diagnostics" in small
