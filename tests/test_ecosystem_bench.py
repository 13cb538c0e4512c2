"""The pure parts of bench/ecosystem.py (diff, sample, labels, report) on small synthetic runs."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location("ecosystem", Path(__file__).parents[1] / "bench" / "ecosystem.py")
eco = sys.modules["ecosystem"] = importlib.util.module_from_spec(_SPEC)  # dataclasses look it up
_SPEC.loader.exec_module(eco)


def finding(fingerprint: str, rule: str = "MLD101", path: str = "train.py", line: int = 1, **extra) -> dict:
    return {"rule": rule, "fingerprint": fingerprint, "path": path, "line": line, "message": f"m {fingerprint}",
            "severity": "warning", **extra}


def label(fingerprint: str, verdict, repo: str = "o/r", rule: str = "MLD101", severity: str = "warning") -> dict:
    return {"repo": repo, "fingerprint": fingerprint, "rule": rule, "path": "train.py", "line": 1,
            "severity": severity, "verdict": verdict, "reason": "read the code"}


def test_diff_reports_appeared_and_disappeared_per_repo_and_rule():
    before = {"o/r": [finding("a"), finding("b", rule="MLD304")], "o/gone": [finding("x")]}
    after = {"o/r": [finding("a"), finding("c", rule="MLD304", cell=2)], "o/new": [finding("y")]}
    deltas = eco.diff_runs(before, after)
    assert list(deltas) == ["o/r"]  # repos scanned in one run only are not changes
    delta = deltas["o/r"]["MLD304"]
    assert [f["fingerprint"] for f in delta.appeared] == ["c"]
    assert [f["fingerprint"] for f in delta.disappeared] == ["b"]
    assert "MLD101" not in deltas["o/r"]
    text = eco.render_diff(deltas, show=5)
    assert "MLD304  +1 -1 ~0" in text and "+ train.py[cell 2]:1" in text and text.endswith("total +1 -1 ~0 regraded\n")


def test_diff_reports_a_finding_whose_severity_moved():
    before = {"o/r": [finding("a"), finding("b")]}
    after = {"o/r": [finding("a", severity="info"), finding("b")]}
    delta = eco.diff_runs(before, after)["o/r"]["MLD101"]
    assert [(f["fingerprint"], f["was"], f["severity"]) for f in delta.regraded] == [("a", "warning", "info")]
    assert not delta.appeared and not delta.disappeared
    assert "~ train.py:1  warning -> info  m a" in eco.render_diff(eco.diff_runs(before, after), 5)


def test_diff_counts_a_repeated_fingerprint():
    deltas = eco.diff_runs({"o/r": [finding("a")]}, {"o/r": [finding("a"), finding("a", line=9)]})
    assert len(deltas["o/r"]["MLD101"].appeared) == 1 and not deltas["o/r"]["MLD101"].disappeared
    assert eco.render_diff(eco.diff_runs({"o/r": [finding("a")]}, {"o/r": [finding("a")]}), 5) == "no change\n"


def test_diff_lists_at_most_show_findings():
    deltas = eco.diff_runs({"o/r": []}, {"o/r": [finding(str(i)) for i in range(4)]})
    text = eco.render_diff(deltas, show=2)
    assert text.count("    + ") == 3 and "... 2 more" in text


def test_tally_counts_only_labels_of_findings_in_the_run():
    run = {"o/r": [finding("a"), finding("b"), finding("c"), finding("d", rule="MLD304")]}
    labels = {("o/r", "a"): label("a", "true"), ("o/r", "b"): label("b", "wrong"),
              ("o/r", "stale"): label("stale", "wrong"), ("other/repo", "c"): label("c", "wrong")}
    tallies = eco.tally(run, labels, per=2)
    assert (tallies["MLD101"].findings, tallies["MLD101"].judged, tallies["MLD101"].wrong) == (3, 2, 1)
    assert tallies["MLD101"].short_samples == 0 and tallies["MLD304"].short_samples == 1
    assert tallies["MLD101"].share("true") == 0.5 and tallies["MLD304"].share("true") is None


def test_report_shows_before_and_after_and_the_missed_targets():
    labels = {("o/r", k): label(k, v) for k, v in {"a": "true", "b": "wrong", "c": "debatable"}.items()}
    before = eco.tally({"o/r": [finding("a"), finding("b"), finding("c")]}, labels, per=1)
    after = eco.tally({"o/r": [finding("a"), finding("c")]}, labels, per=1)
    table = eco.render_report(after, before)
    assert "| MLD101 | 3 → 2 | 3 → 2 | 1 | 1 | 1 → 0 | 0 | 33 % → 50 % | 33 % → 50 % | 33 % → 0 % |" in table
    assert "| **all** |" in table
    assert any("wrong overall 33 %" in m for m in eco.targets(before))
    assert any("MLD101 wrong" in m for m in eco.targets(before))
    assert eco.targets(after) == ["debatable overall 50 % (target < 25 %)"]


def test_sample_fills_each_repo_and_rule_up_to_per_in_a_stable_order():
    run = {"o/r": [finding(str(i)) for i in range(5)] + [finding("z", rule="MLD304")]}
    labels = {("o/r", "0"): label("0", "true")}
    first = eco.sample(run, labels, per=3)
    assert [s["rule"] for s in first] == ["MLD101", "MLD101", "MLD304"]
    assert all(s["fingerprint"] != "0" and s["verdict"] == "" for s in first)
    assert eco.sample(dict(reversed(list(run.items()))), labels, per=3) == first


def test_a_label_judged_at_another_severity_is_regraded_and_sampled_again():
    """`debatable` at warning says nothing about the same finding as a note: once a change moves
    the finding to info, its old verdict no longer counts and the finding is offered again."""
    labels = {("o/r", "a"): label("a", "debatable"), ("o/r", "b"): label("b", "true", severity="info")}
    run = {"o/r": [finding("a", severity="info"), finding("b", severity="info")]}
    tallies = eco.tally(run, labels, per=10)
    assert (tallies["MLD101"].judged, tallies["MLD101"].true, tallies["MLD101"].regraded) == (1, 1, 1)
    assert "| MLD101 | 2 | 1 | 1 | 0 | 0 | 1 |" in eco.render_report(tallies)
    [stub] = eco.sample(run, labels, per=10)
    assert stub["fingerprint"] == "a" and stub["severity"] == "info" and stub["verdict"] == ""
    assert stub["was"] == "debatable at warning: read the code"


def test_a_fingerprint_that_moved_to_another_line_does_not_inherit_the_verdict():
    """Fingerprints number repeats of one message: dropping the first repeat hands its fingerprint
    to the second, at another line, which must be judged afresh rather than take the verdict."""
    labels = {("o/r", "a"): label("a", "wrong"), ("o/r", "b"): label("b", "true")}
    run = {"o/r": [finding("a", line=40), finding("b")]}
    tallies = eco.tally(run, labels, per=10)
    assert (tallies["MLD101"].judged, tallies["MLD101"].wrong, tallies["MLD101"].regraded) == (1, 0, 1)
    [stub] = eco.sample(run, labels, per=10)
    assert stub["fingerprint"] == "a" and stub["line"] == 40 and stub["was"].startswith("wrong at warning")


def test_sample_since_an_earlier_run_judges_only_what_appeared():
    before = {"o/r": [finding(str(i)) for i in range(12)]}
    after = {"o/r": before["o/r"] + [finding("new1"), finding("new2", rule="MLD701")]}
    labels = {("o/r", str(i)): label(str(i), "true") for i in range(10)}
    # MLD101's quota is full of old labels, so its new finding would go unjudged
    assert [s["fingerprint"] for s in eco.sample(after, labels, per=10)] == ["new2"]
    fresh = eco.sample(eco.appeared(before, after), labels, per=10)
    assert sorted(s["fingerprint"] for s in fresh) == ["new1", "new2"]


def test_labels_round_trip_and_yaml_true_is_the_verdict_true(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_text(eco.dump_labels({("o/r", "a"): label("a", "true")}))
    assert "verdict: 'true'" in path.read_text()
    path.write_text("- {repo: o/r, fingerprint: a, rule: MLD101, severity: info, verdict: true, reason: ok}\n")
    assert eco.load_labels(path)[("o/r", "a")]["verdict"] == "true"


@pytest.mark.parametrize("entry", [
    "- {repo: o/r, fingerprint: a, rule: MLD101, severity: info, verdict: maybe, reason: ok}",
    "- {repo: o/r, fingerprint: a, rule: MLD101, severity: info, verdict: wrong, reason: ''}",
    "- {repo: o/r, rule: MLD101, severity: info, verdict: wrong, reason: x}",
    "- {repo: o/r, fingerprint: a, rule: MLD101, verdict: wrong, reason: x}",
    "- {repo: o/r, fingerprint: a, rule: MLD101, severity: high, verdict: wrong, reason: x}",
])
def test_bad_labels_are_one_line_errors(tmp_path, entry):
    path = tmp_path / "labels.yaml"
    path.write_text(entry + "\n")
    with pytest.raises(eco.BenchError):
        eco.load_labels(path)


def test_load_run_reads_one_report_per_repo_and_rejects_others(tmp_path):
    (tmp_path / "o+r.json").write_text(json.dumps({"findings": [finding("a")]}))
    (tmp_path / "run.json").write_text("{}")
    assert eco.load_run(tmp_path) == {"o/r": [finding("a")]}
    (tmp_path / "x+y.json").write_text("[]")
    with pytest.raises(eco.BenchError):
        eco.load_run(tmp_path)


def test_the_committed_panel_meets_the_issue():
    panel = eco.load_panel()
    assert len(panel) >= 12 and len({r.name for r in panel}) == len(panel)
    assert all(len(r.commit) == 40 for r in panel)
    kinds = {k for r in panel for k in r.kinds}
    assert {"research", "example-collection", "notebooks", "hydra", "docker", "tabular", "library", "large"} <= kinds


def test_glue_table_names_each_repos_share_and_its_most_glue_heavy_modules(tmp_path):
    modules = [{"path": f"m{i}.py", "glue": 50 - i, "statements": 100, "share": (50 - i) / 100} for i in range(5)]
    glue = {"statements": {"model": 10, "glue": 40, "neutral": 150}, "share": 0.2, "modules": modules}
    (tmp_path / "o+r.json").write_text(json.dumps({"findings": [], "metrics": {"glue_code": glue}}))
    (tmp_path / "o+old.json").write_text(json.dumps({"findings": [], "metrics": {}}))  # before the metric
    loaded = eco.load_glue(tmp_path)
    assert list(loaded) == ["o/r"]
    table = eco.render_glue(loaded)
    row = table.splitlines()[2]
    assert row.startswith("| o/r | 20 % | 40 / 200 | `m0.py` 50 % (50), `m1.py` 49 % (49), `m2.py` 48 % (48) |")
    assert "m3.py" not in table
