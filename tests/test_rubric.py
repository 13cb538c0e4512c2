"""The ML Test Score: the paper's 28 tests, every detector's must-find and must-not-find
examples (each a little repository scanned end to end), the verdicts of the research-grade and
production-grade fixtures, attestations and the score gate."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from mldebt.cli import main
from mldebt.engine import scan
from mldebt.knowledge import detectors, load_table
from mldebt.project.rubric import SECTIONS, band
from mldebt.settings import ConfigError, load_settings, settings_from_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TABLE = load_table("ml_test_score")


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _score(root: Path) -> dict:
    return scan(root, load_settings(root), jobs=1).score.to_dict()


def _tests(root: Path) -> dict[str, dict]:
    return {t["id"]: t for t in _score(root)["tests"]}


# --- the rubric itself --------------------------------------------------------------------------


def test_the_papers_28_tests_in_four_sections():
    tests = TABLE["tests"]
    assert len(tests) == 28
    for prefix, section, paper in (("D", "data", "Data"), ("M", "model", "Model"), ("I", "infrastructure", "Infra"), ("MO", "monitoring", "Monitor")):
        ids = [f"{prefix}{n}" for n in range(1, 8)]
        assert all(tests[i]["section"] == section and tests[i]["paper"] == f"{paper} {i[len(prefix):]}" for i in ids)
    assert tests["I1"]["title"] == "Training is reproducible"
    assert tests["MO1"]["title"] == "Dependency changes result in notification"
    for test_id, spec in tests.items():
        assert spec["title"] and spec["next_step"] and spec["effort"] in (1, 2, 3), test_id
        assert ("why_not" in spec) != ("evidence" in spec or test_id == "I1"), test_id
        assert all(name in detectors() for name in spec.get("evidence", ())), test_id


def test_bands_follow_the_paper():
    assert band(0)["band"] == "more of a research project than a productionized system"
    assert band(0.5)["band"] == "not totally untested"
    assert band(1.0)["band"] == "not totally untested"
    assert band(1.5)["band"] == "first pass at basic productionization"
    assert band(3.0)["band"] == "reasonably tested"
    assert band(4.5)["band"] == "strong levels of automated testing and monitoring"
    assert band(5.5)["band"] == "exceptional levels of automated testing and monitoring"


def test_every_detector_has_examples_of_both_kinds():
    for name, entry in TABLE["detectors"].items():
        assert entry["examples"]["find"] and entry["examples"]["not_find"], name


# --- detectors: must find, must not find ------------------------------------------------------

EXAMPLES = [
    pytest.param(name, files, expected, id=f"{name}-{'find' if expected else 'not-find'}-{i}")
    for name, entry in TABLE["detectors"].items()
    for expected, key in ((True, "find"), (False, "not_find"))
    for i, files in enumerate(entry["examples"][key])
]


def _evidence_of(root: Path, name: str) -> list:
    report = scan(root, load_settings(root), jobs=1)
    direct = [(f.path, s.line) for f in report.files for s in f.facts.evidence if s.detector == name]
    users = {t for t, spec in TABLE["tests"].items() if name in spec.get("evidence", ())}
    derived = [(e.path, e.line) for t in report.score.tests if t.id in users for e in t.evidence]
    return direct + derived


@pytest.mark.parametrize(("name", "files", "expected"), EXAMPLES)
def test_detector_example(tmp_path, name, files, expected):
    evidence = _evidence_of(_repo(tmp_path, files), name)
    if expected:
        assert evidence, f"{name} found nothing in {sorted(files)}"
        assert all(path in files or path.endswith(tuple(files)) for path, _ in evidence), evidence
    else:
        assert evidence == [], f"{name} found {evidence}"


# --- the fixtures ---------------------------------------------------------------------------------

RESEARCH = {t: "not-assessable" for t in ("D3", "D4", "D5", "D6", "M2", "M4", "I5")}
PRODUCTION = {
    "D1": "automated", "D2": "automated", "D3": "not-assessable", "D4": "not-assessable",
    "D5": "not-assessable", "D6": "not-assessable", "D7": "automated",
    "M1": "automated", "M2": "not-assessable", "M3": "automated", "M4": "not-assessable",
    "M5": "automated", "M6": "automated", "M7": "automated",
    "I1": "automated", "I2": "automated", "I3": "automated", "I4": "automated", "I5": "attested",
    "I6": "automated", "I7": "automated",
    "MO1": "automated", "MO2": "automated", "MO3": "manual", "MO4": "automated", "MO5": "automated",
    "MO6": "automated", "MO7": "automated",
}


def test_research_grade_fixture_scores_zero():
    score = _score(FIXTURES / "research_grade")
    assert score["final"] == 0 and score["band"] == band(0)["band"]
    assert {t["id"]: t["verdict"] for t in score["tests"]} == {t: RESEARCH.get(t, "none") for t in TABLE["tests"]}
    assert len(score["next_steps"]) == 3


def test_production_grade_fixture_scores_above_one():
    score = _score(FIXTURES / "production_grade")
    assert {t["id"]: t["verdict"] for t in score["tests"]} == PRODUCTION
    assert {name: s["score"] for name, s in score["sections"].items()} == {
        "data": 3.0, "model": 5.0, "infrastructure": 6.5, "monitoring": 6.5,
    }
    assert score["final"] == 3.0 and score["band"] == "reasonably tested"
    tests = {t["id"]: t for t in score["tests"]}
    assert tests["I5"]["reason"].startswith("debugging runbook")
    assert {"path": "src/churn/evaluate.py", "line": 34} in tests["I4"]["evidence"]
    assert {"path": ".github/workflows/retrain.yml", "line": 10} in tests["MO4"]["evidence"]
    assert all(set(e) == {"path", "line"} for t in score["tests"] for e in t["evidence"])


def test_evidence_in_a_notebook_or_an_unrun_test_is_manual(tmp_path):
    root = _repo(tmp_path, {
        "explore.ipynb": json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                               "source": ["import optuna\n", "study = optuna.create_study()\n"]}],
                                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        "src/features.py": "def f(x):\n    return x\n",
        "tests/test_features.py": "from src.features import f\n\ndef test_f():\n    assert f(1) == 1\n",
    })
    tests = _tests(root)
    assert tests["M3"]["verdict"] == "manual" and "notebook" in tests["M3"]["detail"]
    assert tests["M3"]["evidence"] == [{"path": "explore.ipynb", "line": 2, "cell": 0}]
    assert tests["D7"]["verdict"] == "manual" and "no CI job" in tests["D7"]["detail"]
    _repo(tmp_path, {".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python -m pytest\n"})
    assert _tests(root)["D7"]["verdict"] == "automated"


def test_findings_against_a_test_lower_it_and_say_so(tmp_path):
    root = _repo(tmp_path, {
        "uv.lock": 'version = 1\n\n[[package]]\nname = "pandas"\nversion = "2.2.3"\n',
        "train.py": "import pandas as pd\ndf = pd.read_csv('data/raw.csv')\n", ".gitignore": "data/\n",
    })
    infra1 = _tests(root)["I1"]
    assert infra1["verdict"] == "none" and infra1["points"] == 0
    assert "lowered by" in infra1["detail"] and "MLD304" in infra1["detail"]
    assert infra1["evidence"] == [{"path": "uv.lock", "line": 1}]


def test_ci_commands_and_schedules_are_facts_with_their_lines(tmp_path):
    root = _repo(tmp_path, {".github/workflows/nightly.yml": (
        "name: nightly\non:\n  schedule:\n    - cron: '0 2 * * *'\njobs:\n  train:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: |\n          pip install -r requirements.txt\n          python src/train.py --tiny\n"
    ), "src/train.py": "print('train')\n"})
    report = scan(root, load_settings(root), jobs=1)
    facts = next(f.facts for f in report.files if f.path.endswith("nightly.yml"))
    assert facts.ci_schedule == 3
    assert [(c.text, c.line) for c in facts.ci_commands] == [
        ("pip install -r requirements.txt", 10), ("python src/train.py --tiny", 11),
    ]
    tests = {t.id: t for t in report.score.tests}
    assert tests["MO4"].verdict == "automated" and tests["I3"].verdict == "automated"


def test_yaml_alias_bombs_in_ci_files_are_refused_and_the_score_still_computed(tmp_path):
    bomb = "a: &a [run, run, run, run, run, run, run, run, run]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    root = _repo(tmp_path, {".github/workflows/bomb.yml": bomb})
    report = scan(root, load_settings(root), jobs=1)
    assert report.score is not None and [d.kind for d in report.diagnostics] == ["yaml-aliases"]


# --- attestations and the gate --------------------------------------------------------------


def test_an_attestation_of_a_test_mldebt_cannot_assess_is_shown_as_attested(tmp_path):
    root = _repo(tmp_path, {"pyproject.toml": '[tool.mldebt.attest]\n"M4" = { level = "automated", reason = "staleness dashboard, wiki/ml/staleness" }\n'})
    m4 = _tests(root)["M4"]
    assert (m4["verdict"], m4["points"], m4["reason"], m4["evidence"]) == ("attested", 1.0, "staleness dashboard, wiki/ml/staleness", [])


@pytest.mark.parametrize(("attest", "message"), [
    ({"D1": {"level": "manual", "reason": "we check"}}, "assessed from the code and cannot be attested"),
    ({"M44": {"level": "manual", "reason": "x"}}, "did you mean `M4`"),
    ({"M4": {"level": "always", "reason": "x"}}, 'must be "manual" or "automated"'),
    ({"M4": {"level": "manual", "reason": " "}}, "reason must say where the evidence is"),
    ({"M4": {"level": "manual"}}, "must be { level"),
])
def test_invalid_attestations_are_config_errors(attest, message):
    with pytest.raises(ConfigError, match=message.replace("{", r"\{").replace("(", r"\(")):
        settings_from_table({"attest": attest}, "pyproject.toml [tool.mldebt]")


@pytest.mark.parametrize("value", [-1, 29, "high", True])
def test_min_score_must_be_a_score(value):
    with pytest.raises(ConfigError, match="min-score must be a number from 0 to 28"):
        settings_from_table({"min-score": value}, "pyproject.toml [tool.mldebt]")


def test_attesting_an_assessable_test_exits_2_with_one_line(tmp_path):
    _repo(tmp_path, {"pyproject.toml": '[tool.mldebt.attest]\nD1 = { level = "manual", reason = "we look at the data" }\n'})
    result = CliRunner().invoke(main, ["score", "--no-cache", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "`D1`" in result.output and "cannot be attested" in result.output


def test_min_score_gates_scan_and_score():
    runner = CliRunner()
    research, production = str(FIXTURES / "research_grade"), str(FIXTURES / "production_grade")
    assert runner.invoke(main, ["score", "--no-cache", research]).exit_code == 0
    below = runner.invoke(main, ["score", "--no-cache", research, "--min-score", "0.5"])
    assert below.exit_code == 1 and "ML Test Score 0 is below the minimum 0.5" in below.output
    assert runner.invoke(main, ["score", "--no-cache", production, "--min-score", "3"]).exit_code == 0
    assert runner.invoke(main, ["score", "--no-cache", production, "--min-score", "3.5"]).exit_code == 1
    # production_grade sets `min-score = 2.0` in its pyproject.toml; its one finding is a warning
    assert runner.invoke(main, ["scan", "--no-cache", production, "--fail-on", "error"]).exit_code == 0
    assert runner.invoke(main, ["scan", "--no-cache", production, "--fail-on", "error", "--min-score", "4"]).exit_code == 1
    assert runner.invoke(main, ["scan", "--no-cache", research, "--fail-on", "error", "--min-score", "1", "--exit-zero"]).exit_code == 0
    assert runner.invoke(main, ["score", "--no-cache", research, "--min-score", "-1"]).exit_code == 2


# --- outputs ------------------------------------------------------------------------------------


def test_score_formats_carry_the_same_score():
    runner = CliRunner()
    path = str(FIXTURES / "production_grade")
    document = json.loads(runner.invoke(main, ["score", "--no-cache", path, "-f", "json"]).output)
    assert document == _score(FIXTURES / "production_grade")
    assert set(document) >= {"final", "band", "sections", "tests"} and set(document["sections"]) == set(SECTIONS)
    text = runner.invoke(main, ["score", "--no-cache", path]).output
    assert "Final score 3" in text and "reasonably tested" in text and "src/churn/evaluate.py:34" in text
    markdown = runner.invoke(main, ["score", "--no-cache", path, "-f", "markdown"]).output
    assert markdown.startswith("## ML Test Score: 3 (reasonably tested)")
    assert "| I4 | Model quality is validated before attempting to serve it | automated | 1 | `src/churn/evaluate.py:34`<br>" in markdown
    assert markdown.count("\n| ") == 3 + 28  # sections (names, scores), the header and all 28 tests
    scan_json = json.loads(runner.invoke(main, ["scan", "--no-cache", path, "-f", "json"]).output)
    assert scan_json["score"] == document
    assert "ML Test Score 3 (reasonably tested): data 3, model 5" in runner.invoke(main, ["scan", "--no-cache", path]).output
    assert "### ML Test Score: 3" in runner.invoke(main, ["scan", "--no-cache", path, "-f", "markdown"]).output


def test_badge_is_a_self_contained_svg(tmp_path):
    out = tmp_path / "badge.svg"
    result = CliRunner().invoke(main, ["badge", "--no-cache", str(FIXTURES / "production_grade"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = ET.fromstring(out.read_text())
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["ML Test Score"] * 2 + ["3 · reasonably tested"] * 2
    fills = {r.get("fill") for r in svg.iter("{http://www.w3.org/2000/svg}rect")}
    assert band(3.0)["color"] in fills and "#555" in fills
    assert "http" not in out.read_text().replace("http://www.w3.org/2000/svg", "")  # nothing fetched when shown


def test_badge_shields_endpoint_json():
    result = CliRunner().invoke(main, ["badge", "--no-cache", str(FIXTURES / "research_grade"), "--format", "shields"])
    assert json.loads(result.output) == {
        "schemaVersion": 1, "label": "ML Test Score", "message": "0 · research project", "color": "e05d44",
    }


def test_ci_reaches_tests_through_scripts_and_job_manifests_and_only_the_paths_it_names(tmp_path):
    root = _repo(tmp_path, {
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: anyscale jobs submit deploy/jobs/workloads.yaml --wait\n",
        "deploy/jobs/workloads.yaml": "name: workloads\nentrypoint: bash deploy/jobs/workloads.sh\n",
        "deploy/jobs/workloads.sh": "#!/bin/bash\nset -e\npytest tests/code --verbose\npython src/train.py --tiny\n",
        "src/features.py": "def f(x):\n    return x\n",
        "src/model.py": "def make():\n    return 1\n",
        "src/train.py": "print('train')\n",
        "tests/code/test_features.py": "from src.features import f\n\ndef test_f():\n    assert f(1) == 1\n",
        "tests/slow/test_model.py": "from src.model import make\n\ndef test_make():\n    assert make()\n",
    })
    tests = _tests(root)
    assert tests["D7"]["verdict"] == "automated" and "workloads.sh:3" in tests["D7"]["detail"]
    assert tests["I2"]["verdict"] == "manual"  # tests/slow is not what the CI job runs
    assert tests["I3"] == {**tests["I3"], "verdict": "automated", "evidence": [{"path": "deploy/jobs/workloads.sh", "line": 4}]}


def test_a_scheduled_ci_run_is_not_scheduled_retraining(tmp_path):
    workflow = "on:\n  {events}\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py --epochs 1\n"
    root = _repo(tmp_path, {".github/workflows/ci.yml": workflow.format(events="push: {branches: [main]}"), "train.py": "print(1)\n"})
    tests = _tests(root)
    assert tests["MO4"]["verdict"] == "none" and tests["I3"]["verdict"] == "automated"
    _repo(tmp_path, {".github/workflows/ci.yml": workflow.format(events="workflow_dispatch: {}")})
    assert _tests(root)["MO4"]["verdict"] == "automated"


@pytest.mark.parametrize(("command", "runs"), [
    ("make test", {"tests/test_a.py"}),
    ("python -m pytest -n 3 tests/", {"tests/test_a.py"}),
    ("pytest examples/demo", {"examples/demo/test_demo.py"}),
    ("cd .. && pytest other/tests/test_x.py", set()),
])
def test_which_tests_a_ci_step_runs(tmp_path, command, runs):
    root = _repo(tmp_path, {
        ".github/workflows/ci.yml": f"on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {command}\n",
        "tests/test_a.py": "def test_a():\n    assert True\n",
        "examples/demo/test_demo.py": "print('an example script named like a test')\n",
    })
    from mldebt.project.model import Project

    report = scan(root, load_settings(root), jobs=1)
    project = Project({f.path: (f.kind, f.facts) for f in report.files})
    assert {p for p in project.automation.runs if p.endswith(".py")} == runs


def test_a_ci_step_in_a_working_directory_runs_that_projects_tests(tmp_path):
    root = _repo(tmp_path, {
        ".github/workflows/ci.yml": (
            "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - working-directory: week6/code\n"
            "        run: pipenv run pytest tests/\n"
        ),
        "week6/code/model.py": "def make():\n    return 1\n",
        "week6/code/tests/model_test.py": "from model import make\n\ndef test_make():\n    assert make()\n",
        "examples/demo/test_demo.py": "from week6.code.model import make\nprint(make())\n",
    })
    i2 = _tests(root)["I2"]
    assert i2["verdict"] == "automated" and i2["evidence"] == [{"path": "week6/code/tests/model_test.py", "line": 1}]
