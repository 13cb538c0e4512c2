"""The GitHub Action (action.yml): its scan script run here against a fixture, with the
workflow's files ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT) pointed at temporary files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

jsonschema = pytest.importorskip("jsonschema", reason="a test dependency: pip install -e .[test]")
ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "action" / "scan.sh"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _run(tmp_path: Path, github: dict[str, str] | None = None, **inputs: str) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """Run the scan script on `repo` (the demo fixture unless the test made one), with the
    action's inputs and the runner's other GITHUB_* variables (`github`)."""
    repo = tmp_path / "repo"
    if not repo.exists():
        shutil.copytree(ROOT / "fixtures" / "demo", repo)
    summary, outputs = tmp_path / "step_summary.md", tmp_path / "github_output"
    summary.write_text("earlier step\n")
    outputs.write_text("")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "MLDEBT_PATH": "repo",
        **{f"MLDEBT_{k.upper()}": v for k, v in inputs.items()},
        **(github or {}),
    }
    result = subprocess.run(["bash", str(SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return result, summary, outputs


def test_one_scan_gives_annotations_sarif_json_and_the_job_summary(tmp_path):
    result, summary, outputs = _run(tmp_path)
    assert result.returncode == 1, result.stderr
    annotations = result.stdout.splitlines()
    assert annotations[0].startswith("::error file=") and all(line.startswith("::") for line in annotations)
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written["exit-code"] == "1"
    sarif = json.loads((tmp_path / written["sarif"]).read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    document = json.loads((tmp_path / written["json"]).read_text())
    assert len(sarif["runs"][0]["results"]) == len(document["findings"])
    assert len(annotations) == len(document["findings"]) + len(document["diagnostics"])
    assert (tmp_path / written["badge"]).read_text().startswith("<svg ")
    text = summary.read_text()
    assert text.startswith("earlier step\n## mldebt\n") and "| location | rule | severity | message |" in text


def test_baseline_input_reaches_the_scan(tmp_path):
    shutil.copytree(ROOT / "fixtures" / "demo", tmp_path / "repo")
    subprocess.run(
        [Path(sys.executable).parent / "mldebt", "baseline", "repo", "-o", "repo/base.json"],
        cwd=tmp_path, check=True, capture_output=True,
    )
    result, summary, outputs = _run(tmp_path, baseline="repo/base.json")
    assert result.returncode == 0, result.stderr
    assert all(",title=mldebt parse-error::" in line for line in result.stdout.splitlines())  # diagnostics only
    assert "0 finding(s)" in summary.read_text() and "12 baselined" in summary.read_text()


def test_fail_on_and_min_score_inputs_reach_the_scan_and_a_bad_one_is_exit_2_without_summary(tmp_path):
    for inputs in ({"fail_on": "severe"}, {"min_score": "high"}):
        result, summary, outputs = _run(tmp_path, **inputs)
        assert result.returncode == 2, inputs
        assert summary.read_text() == "earlier step\n" and "exit-code=2" in outputs.read_text()


def test_action_yml_declares_every_input_it_uses_and_runs_the_script():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text()
    used = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", text))
    assert used == set(action["inputs"]), used ^ set(action["inputs"])
    steps = action["runs"]["steps"]
    assert any("action/scan.sh" in step.get("run", "") for step in steps)
    (upload,) = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "${{ inputs.output-dir }}" and "always()" in upload["if"]
    outputs = set(re.findall(r"steps\.scan\.outputs\.([\w-]+)", text))
    assert outputs == set(action["outputs"]) and outputs <= set(re.findall(r'echo "([\w-]+)=', SCRIPT.read_text()))


def test_a_summary_cut_to_githubs_limit_links_the_runs_artifacts(tmp_path):
    # 600 findings in one file: far more rows than a 65,536-character summary holds.
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "load.py").write_text("import pickle\n" + "w = pickle.load(f)\n" * 600)
    runner = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "octo/models", "GITHUB_RUN_ID": "4242"}
    result, summary, _ = _run(tmp_path, github=runner, artifact_name="mldebt-report")
    assert result.returncode == 1, result.stderr
    text = summary.read_text()
    assert len(text) < 65_536
    assert re.search(r"\*\d+ more finding\(s\) are not listed here", text)
    assert "[this run's artifacts](https://github.com/octo/models/actions/runs/4242#artifacts)" in text
    closing = result.stdout.splitlines()[-1]  # the annotations' closing notice points there too
    assert closing.startswith("::notice title=mldebt::") and closing.endswith(
        "see the full report in this run's artifacts (https://github.com/octo/models/actions/runs/4242#artifacts)"
    )
    findings = json.loads((tmp_path / "mldebt-report" / "mldebt.json").read_text())["findings"]
    assert sum(f["rule"] == "MLD401" for f in findings) == 600  # the artifact holds every one
    # No upload (empty artifact name): no link to an artifact that does not exist; the files are named.
    result, summary, _ = _run(tmp_path, github=runner, artifact_name="")
    assert "actions/runs" not in summary.read_text()
    assert "The full report is in `mldebt-report/mldebt.sarif` and `mldebt-report/mldebt.json`." in summary.read_text()
