"""The ecosystem check: mldebt on a panel of real ML repositories it was never tuned on, and how
often its findings there are right.

Run it before and after every change to a rule: `diff` shows what the change did on real code,
`report` how precise each rule is, from findings judged by reading the code (bench/labels.yaml).

Layout (nothing here touches the network; the panel is prepared once, by hand):

    PANEL/owner+name/            a work tree of each repository of bench/panel.toml at its commit,
                                 no .git needed. PANEL is --panel-dir, else $MLDEBT_PANEL.
                                 One way to make one from a clone or a mirror:
                                   mkdir -p PANEL/owner+name
                                   git --git-dir=GITDIR archive COMMIT | tar -x -C PANEL/owner+name
    RUNS/LABEL/owner+name.json   one `mldebt scan --format json` document per repository
    RUNS/LABEL/run.json          what was run: mldebt version, panel commits, seconds, exit codes
    RUNS/.mldebt-cache/          mldebt's per-file cache, kept out of the shared panel trees

Keep RUNS outside the repository (scan documents name other people's code).

Commands:

    run OUT [--panel-dir P] [-j N] [--repo owner/name]...   scan every panel repo found in P
    diff A B [--repo R] [--rule MLD101] [--show N]          what appeared / disappeared, by fingerprint
    sample RUN [--per 10] [--since RUN] [--repo R] [--rule X]  YAML stubs of findings still to judge
    labels add FILE...                                      merge judged stubs into bench/labels.yaml
    report RUN [--before RUN] [--write]                     per-rule precision (and bench/ECOSYSTEM.md)

A label is keyed by repository and fingerprint, so a finding that survives a change keeps its
verdict; `report` only counts labels whose finding is in the run it is given. A label also records
the severity the finding was judged at: "not worth a warning" says nothing about the same finding
as a note, so when a rule change moves a finding to another severity its label no longer counts
(`report` shows it as "regraded") and `sample` offers it again, with the old verdict beside it.
The same holds for a label whose fingerprint now names a finding at another path or line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
PANEL_FILE = BENCH / "panel.toml"
LABELS_FILE = BENCH / "labels.yaml"
TABLE_FILE = BENCH / "ECOSYSTEM.md"
VERDICTS = ("true", "debatable", "wrong")
SEVERITIES = ("info", "warning", "error")
LABEL_FIELDS = ("repo", "fingerprint", "rule", "path", "line", "severity", "verdict", "reason")
#: The issue's targets (share of judged findings).
MAX_WRONG_OVERALL, MAX_WRONG_PER_RULE, MAX_DEBATABLE = 0.05, 0.10, 0.25
DEFAULT_SAMPLE = 10


class BenchError(Exception):
    """Bad input to the bench: printed as one line, exit 2."""


# --- panel and runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelRepo:
    name: str  # owner/name
    commit: str
    kinds: tuple[str, ...]
    why: str

    @property
    def folder(self) -> str:
        return self.name.replace("/", "+")


def load_panel(path: Path = PANEL_FILE) -> list[PanelRepo]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BenchError(f"{path}: cannot read the panel ({exc})") from exc
    repos = []
    for i, entry in enumerate(data.get("repo", [])):
        try:
            repos.append(
                PanelRepo(entry["name"], entry["commit"], tuple(entry.get("kinds", ())), entry.get("why", ""))
            )
        except (KeyError, TypeError) as exc:
            raise BenchError(f"{path}: repo #{i + 1} needs `name` and `commit`") from exc
    return repos


def panel_dir(option: str | None) -> Path:
    where = option or os.environ.get("MLDEBT_PANEL")
    if not where:
        raise BenchError("no panel folder: pass --panel-dir or set MLDEBT_PANEL")
    path = Path(where)
    if not path.is_dir():
        raise BenchError(f"{path}: panel folder not found")
    return path


def scan_repo(tree: Path, out_json: Path, jobs: int) -> tuple[int, float, str]:
    """One `mldebt scan` of a panel tree. `-P` and a working folder outside the tree keep the
    scanned code off sys.path; the scan itself never imports it."""
    command = [sys.executable, "-P", "-m", "mldebt", "scan", str(tree), "--format", "json",
               "--output", str(out_json), "--exit-zero", "--jobs", str(jobs)]
    # mldebt's per-file cache would land in the panel tree, which others share: keep it beside the runs.
    env = {**os.environ, "MLDEBT_CACHE_DIR": str(out_json.parent.parent / ".mldebt-cache" / out_json.stem)}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=out_json.parent, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    error = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]
    return done.returncode, seconds, error


def command_run(args: argparse.Namespace) -> int:
    panel = load_panel()
    root = panel_dir(args.panel_dir)
    wanted = set(args.repo or ())
    unknown = wanted - {repo.name for repo in panel}
    if unknown:
        raise BenchError(f"not in bench/panel.toml: {', '.join(sorted(unknown))}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "run.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"repos": {}}
    manifest["mldebt"] = _code_under_test()
    for repo in panel:
        if wanted and repo.name not in wanted:
            continue
        tree = root / repo.folder
        if not tree.is_dir():
            print(f"{repo.name}: not found at {tree}, skipped")
            continue
        out_json = out / f"{repo.folder}.json"
        code, seconds, error = scan_repo(tree, out_json, args.jobs)
        entry = {"commit": repo.commit, "exit": code, "seconds": round(seconds, 1)}
        if error:
            entry["error"] = error
            print(f"{repo.name}: scan failed (exit {code}): {error}")
        else:
            document = json.loads(out_json.read_text(encoding="utf-8"))
            entry["mldebt"] = document["tool"]["version"]
            entry["findings"] = len(document["findings"])
            entry["diagnostics"] = len(document["diagnostics"])
            print(f"{repo.name}: {entry['findings']} findings, {entry['diagnostics']} diagnostics, {seconds:.0f} s")
        manifest["repos"][repo.name] = entry
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return 0


def _code_under_test() -> str:
    """Which mldebt the scans ran: the package folder of this interpreter's mldebt, and its git
    commit when it is a checkout. Run the bench with the interpreter whose mldebt is under test,
    and do not change that code while a run is going."""
    done = subprocess.run([sys.executable, "-P", "-c", "import mldebt; print(mldebt.__file__)"],
                          capture_output=True, text=True, cwd=BENCH)
    package = Path(done.stdout.strip()).parent
    commit = subprocess.run(["git", "-C", str(package), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return f"{package} @ {commit.stdout.strip() or 'not a checkout'}"


def load_run(folder: Path) -> dict[str, list[dict]]:
    """Findings per repository (owner/name) of one run folder."""
    return {repo: report["findings"] for repo, report in _reports(folder)}


def load_glue(folder: Path) -> dict[str, dict]:
    """`metrics.glue_code` per repository of one run folder (repositories whose report has none,
    from an mldebt without the metric, are left out)."""
    return {repo: glue for repo, report in _reports(folder) if (glue := report.get("metrics", {}).get("glue_code"))}


def _reports(folder: Path) -> list[tuple[str, dict]]:
    """(owner/name, scan JSON document) of every repository of one run folder."""
    if not folder.is_dir():
        raise BenchError(f"{folder}: run folder not found")
    reports = []
    for path in sorted(folder.glob("*+*.json")):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(report.get("findings"), list):
                raise KeyError("findings")
        except (OSError, ValueError, KeyError, AttributeError) as exc:
            raise BenchError(f"{path}: not an mldebt JSON report ({exc})") from exc
        reports.append((path.stem.replace("+", "/", 1), report))
    return reports


# --- diff ---------------------------------------------------------------------------------------


@dataclass
class RuleDelta:
    appeared: list[dict] = field(default_factory=list)
    disappeared: list[dict] = field(default_factory=list)
    #: Findings of both runs whose severity moved (as found after the change, with `was`):
    #: their labels no longer count, and `sample` offers them again.
    regraded: list[dict] = field(default_factory=list)


def diff_runs(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> dict[str, dict[str, RuleDelta]]:
    """Per repository and rule, the findings whose fingerprint appeared or disappeared, and
    those whose severity moved. Counted as multisets, so a second finding with a fingerprint
    already present still shows. Repositories present in only one run are left out: a missing
    scan is not a change of the rules."""
    deltas: dict[str, dict[str, RuleDelta]] = {}
    for repo in sorted(before.keys() & after.keys()):
        old = Counter(f["fingerprint"] for f in before[repo])
        new = Counter(f["fingerprint"] for f in after[repo])
        per_rule: dict[str, RuleDelta] = {}
        for side, findings, surplus in (("disappeared", before[repo], old - new), ("appeared", after[repo], new - old)):
            for finding in findings:
                if surplus[finding["fingerprint"]] > 0:
                    surplus[finding["fingerprint"]] -= 1
                    getattr(per_rule.setdefault(finding["rule"], RuleDelta()), side).append(finding)
        severities = {f["fingerprint"]: f["severity"] for f in before[repo] if old[f["fingerprint"]] == 1}
        for finding in after[repo]:
            was = severities.get(finding["fingerprint"])
            if new[finding["fingerprint"]] == 1 and was is not None and was != finding["severity"]:
                per_rule.setdefault(finding["rule"], RuleDelta()).regraded.append({**finding, "was": was})
        if per_rule:
            deltas[repo] = dict(sorted(per_rule.items()))
    return deltas


def appeared(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The findings of `after` that `before` did not have: what a change brought, to be judged
    on its own rather than hidden behind a per-rule quota that older labels already fill."""
    return {repo: [f for delta in per_rule.values() for f in delta.appeared]
            for repo, per_rule in diff_runs(before, after).items()}


def where(finding: dict) -> str:
    cell = f"[cell {finding['cell']}]" if finding.get("cell") is not None else ""
    return f"{finding['path']}{cell}:{finding['line']}"


def render_diff(deltas: dict[str, dict[str, RuleDelta]], show: int) -> str:
    if not deltas:
        return "no change\n"
    lines = []
    totals = Counter()
    for repo, per_rule in deltas.items():
        lines.append(repo)
        for rule, delta in per_rule.items():
            totals["+"] += len(delta.appeared)
            totals["-"] += len(delta.disappeared)
            totals["~"] += len(delta.regraded)
            lines.append(f"  {rule}  +{len(delta.appeared)} -{len(delta.disappeared)} ~{len(delta.regraded)}")
            for sign, findings in (("+", delta.appeared), ("-", delta.disappeared), ("~", delta.regraded)):
                for finding in findings[:show]:
                    moved = f"{finding['was']} -> {finding['severity']}  " if sign == "~" else ""
                    lines.append(f"    {sign} {where(finding)}  {moved}{finding['message']}")
                if len(findings) > show:
                    lines.append(f"    {sign} ... {len(findings) - show} more")
    lines.append(f"total +{totals['+']} -{totals['-']} ~{totals['~']} regraded")
    return "\n".join(lines) + "\n"


def command_diff(args: argparse.Namespace) -> int:
    before, after = (_filtered(load_run(Path(f)), args.repo, args.rule) for f in (args.before, args.after))
    sys.stdout.write(render_diff(diff_runs(before, after), args.show))
    return 0


def _filtered(run: dict[str, list[dict]], repos: list[str] | None, rules: list[str] | None) -> dict[str, list[dict]]:
    return {
        repo: [f for f in findings if not rules or any(f["rule"].startswith(r) for r in rules)]
        for repo, findings in run.items()
        if not repos or repo in repos
    }


# --- labels ---------------------------------------------------------------------------------------


def load_labels(path: Path = LABELS_FILE) -> dict[tuple[str, str], dict]:
    """Labels keyed by (repo, fingerprint). A YAML `true` is read as the verdict "true"."""
    if not path.exists():
        return {}
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise BenchError(f"{path}: cannot read labels ({exc})") from exc
    return {(label["repo"], label["fingerprint"]): label for label in (_checked(e, path) for e in entries)}


def _checked(entry: object, path: Path) -> dict:
    if not isinstance(entry, dict) or not {"repo", "fingerprint", "rule", "verdict", "severity"} <= entry.keys():
        raise BenchError(
            f"{path}: a label needs repo, fingerprint, rule, severity (the one it was judged at: "
            f"`sample` writes it) and verdict: {entry!r}"
        )
    verdict = "true" if entry["verdict"] is True else entry["verdict"]
    if verdict not in VERDICTS:
        raise BenchError(f"{path}: {entry['repo']} {entry['fingerprint']}: verdict must be one of {VERDICTS}, not {verdict!r}")
    if entry["severity"] not in SEVERITIES:
        raise BenchError(f"{path}: {entry['repo']} {entry['fingerprint']}: severity must be one of {SEVERITIES}, not {entry['severity']!r}")
    if not str(entry.get("reason") or "").strip():
        raise BenchError(f"{path}: {entry['repo']} {entry['fingerprint']}: a verdict needs a one-line reason")
    return {**entry, "verdict": verdict}


def dump_labels(labels: dict[tuple[str, str], dict]) -> str:
    ordered = sorted(labels.values(), key=lambda l: (l["repo"], l["rule"], l.get("path", ""), l.get("line", 0), l["fingerprint"]))
    entries = [{key: label[key] for key in LABEL_FIELDS if key in label} for label in ordered]
    header = "# Findings of the ecosystem panel judged by reading the code (see bench/ecosystem.py), one a line.\n"
    lines = (yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, default_flow_style=True, width=1 << 16) for entry in entries)
    return header + "".join(f"- {line}" for line in lines)


def command_labels_add(args: argparse.Namespace) -> int:
    labels = load_labels()
    added = 0
    for name in args.files:
        new = load_labels(Path(name))
        added += len(new.keys() - labels.keys())
        labels.update(new)
    LABELS_FILE.write_text(dump_labels(labels), encoding="utf-8")
    print(f"{added} new labels, {len(labels)} in {LABELS_FILE.name}")
    return 0


def judged_label(labels: dict[tuple[str, str], dict], repo: str, finding: dict) -> dict | None:
    """The label that judges `finding` as it is now: one given at the finding's severity and place.
    The place matters because a fingerprint counts repeats of one message: when a change drops the
    first of two, the second inherits its fingerprint, and must not inherit its verdict."""
    label = labels.get((repo, finding["fingerprint"]))
    if label is None or label["severity"] != finding["severity"]:
        return None
    return label if (label["path"], label["line"]) == (finding["path"], finding["line"]) else None


def sample(run: dict[str, list[dict]], labels: dict[tuple[str, str], dict], per: int) -> list[dict]:
    """Findings to judge so that every (repo, rule) has `per` judged ones, or all of them. The
    choice is a stable hash order of fingerprints: the same run gives the same sample, and a
    finding that keeps its fingerprint stays in it. A finding judged at another severity is
    offered again, its old verdict shown as `was` (judge it afresh: `labels add` ignores `was`)."""
    todo = []
    for repo in sorted(run):
        by_rule: dict[str, list[dict]] = {}
        for finding in run[repo]:
            by_rule.setdefault(finding["rule"], []).append(finding)
        for rule, findings in sorted(by_rule.items()):
            judged = sum(judged_label(labels, repo, f) is not None for f in findings)
            fresh = sorted(
                (f for f in findings if judged_label(labels, repo, f) is None),
                key=lambda f: hashlib.sha256(f["fingerprint"].encode()).hexdigest(),
            )
            for finding in fresh[: max(0, per - judged)]:
                old = labels.get((repo, finding["fingerprint"]))
                todo.append({
                    "repo": repo, "fingerprint": finding["fingerprint"], "rule": rule,
                    "path": finding["path"], "line": finding["line"],
                    **({"cell": finding["cell"]} if finding.get("cell") is not None else {}),
                    "message": finding["message"], "severity": finding["severity"],
                    **({"was": f"{old['verdict']} at {old['severity']}: {old['reason']}"} if old else {}),
                    "verdict": "", "reason": "",
                })
    return todo


def command_sample(args: argparse.Namespace) -> int:
    run = _filtered(load_run(Path(args.run)), args.repo, args.rule)
    if args.since:
        run = appeared(load_run(Path(args.since)), run)
    sys.stdout.write(yaml.safe_dump(sample(run, load_labels(), args.per), sort_keys=False, allow_unicode=True, width=120))
    return 0


# --- report -----------------------------------------------------------------------------------------


@dataclass
class Tally:
    findings: int = 0
    true: int = 0
    debatable: int = 0
    wrong: int = 0
    regraded: int = 0  # findings judged at another severity or line than they have now: not counted as judged
    short_samples: int = 0  # (repo) cells with fewer than min(per, findings) judged

    @property
    def judged(self) -> int:
        return self.true + self.debatable + self.wrong

    def share(self, verdict: str) -> float | None:
        return getattr(self, verdict) / self.judged if self.judged else None

    def add(self, other: Tally) -> None:
        for name in ("findings", "true", "debatable", "wrong", "regraded", "short_samples"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def tally(run: dict[str, list[dict]], labels: dict[tuple[str, str], dict], per: int = DEFAULT_SAMPLE) -> dict[str, Tally]:
    """Per rule: findings in the run, the verdicts of those judged at their present severity,
    and how many were judged at another one (`regraded`)."""
    tallies: dict[str, Tally] = {}
    for repo, findings in run.items():
        cells: dict[str, Tally] = {}
        for finding in findings:
            cell = cells.setdefault(finding["rule"], Tally())
            cell.findings += 1
            label = judged_label(labels, repo, finding)
            if label:
                setattr(cell, label["verdict"], getattr(cell, label["verdict"]) + 1)
            elif (repo, finding["fingerprint"]) in labels:
                cell.regraded += 1
        for rule, cell in cells.items():
            cell.short_samples = int(cell.judged < min(per, cell.findings))
            tallies.setdefault(rule, Tally()).add(cell)
    return dict(sorted(tallies.items()))


def overall(tallies: dict[str, Tally]) -> Tally:
    total = Tally()
    for one in tallies.values():
        total.add(one)
    return total


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def render_report(after: dict[str, Tally], before: dict[str, Tally] | None = None) -> str:
    """Markdown table, one row per rule and a total; with `before`, each figure as before -> after."""
    columns = ["findings", "judged", "true", "debatable", "wrong", "regraded", "precision", "debatable %", "wrong %"]

    def cells(t: Tally) -> list[str]:
        return [str(t.findings), str(t.judged), str(t.true), str(t.debatable), str(t.wrong), str(t.regraded),
                _pct(t.share("true")), _pct(t.share("debatable")), _pct(t.share("wrong"))]

    def row(name: str, rule: str | None) -> str:
        now = cells(after.get(rule, Tally()) if rule else overall(after))
        if before is not None:
            then = cells(before.get(rule, Tally()) if rule else overall(before))
            now = [a if a == b else f"{a} → {b}" for a, b in zip(then, now)]
        return "| " + " | ".join([name, *now]) + " |"

    rules = sorted(after.keys() | (before or {}).keys())
    lines = ["| rule | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [row(rule, rule) for rule in rules]
    lines.append(row("**all**", None))
    return "\n".join(lines) + "\n"


def targets(tallies: dict[str, Tally]) -> list[str]:
    """The issue's targets that the run misses, one line each (empty: all met)."""
    total = overall(tallies)
    missed = []
    if total.judged and total.share("wrong") > MAX_WRONG_OVERALL:
        missed.append(f"wrong overall {_pct(total.share('wrong'))} (target ≤ {_pct(MAX_WRONG_OVERALL)})")
    if total.judged and total.share("debatable") >= MAX_DEBATABLE:
        missed.append(f"debatable overall {_pct(total.share('debatable'))} (target < {_pct(MAX_DEBATABLE)})")
    for rule, one in tallies.items():
        if one.judged and one.share("wrong") > MAX_WRONG_PER_RULE:
            missed.append(f"{rule} wrong {_pct(one.share('wrong'))} (target ≤ {_pct(MAX_WRONG_PER_RULE)})")
        if one.short_samples:
            missed.append(f"{rule}: {one.short_samples} repo(s) with fewer than {DEFAULT_SAMPLE} (or all) judged")
    return missed


#: How many of a repository's most glue-heavy modules the glue table names.
GLUE_MODULES = 3


def render_glue(glue: dict[str, dict]) -> str:
    """Markdown table of the glue-code share per repository (`metrics.glue_code`): the share of
    statements that are glue, and the modules with the most glue statements."""
    lines = ["| repository | glue share | glue / statements | most glue-heavy modules (share, glue statements) |",
             "|---|---|---|---|"]
    for repo, metric in sorted(glue.items()):
        statements = sum(metric.get("statements", {}).values())
        modules = ", ".join(
            f"`{m['path']}` {_pct(m['share'])} ({m['glue']})" for m in metric.get("modules", [])[:GLUE_MODULES]
        )
        lines.append(f"| {repo} | {_pct(metric.get('share'))} | {metric.get('statements', {}).get('glue', 0)} / "
                     f"{statements} | {modules or '-'} |")
    return "\n".join(lines) + "\n"


def command_report(args: argparse.Namespace) -> int:
    labels = load_labels()
    after = tally(load_run(Path(args.run)), labels)
    before = tally(load_run(Path(args.before)), labels) if args.before else None
    text = render_report(after, before)
    missed = targets(after)
    text += "\nTargets: " + ("all met.\n" if not missed else "missed:\n" + "".join(f"- {m}\n" for m in missed))
    glue = render_glue(load_glue(Path(args.run)))
    sys.stdout.write(text + "\nGlue code (`metrics.glue_code`):\n\n" + glue)
    if args.write:
        runs = f"`{Path(args.before).name}` → `{Path(args.run).name}`" if args.before else f"`{Path(args.run).name}`"
        TABLE_FILE.write_text(_page(text, runs, len(labels), glue), encoding="utf-8")
        print(f"wrote {TABLE_FILE.relative_to(BENCH.parent)}")
    return 0


def _page(table: str, runs: str, labels: int, glue: str) -> str:
    panel = load_panel()
    head = TABLE_FILE.read_text(encoding="utf-8").split(TABLE_MARKER)[0] if TABLE_FILE.exists() else ""
    repos = "\n".join(f"| {r.name} | `{r.commit[:12]}` | {', '.join(r.kinds)} |" for r in panel)
    return (head or "# Ecosystem check\n\n") + TABLE_MARKER + "\n\n" + (
        "## Panel\n\n| repository | commit | kinds |\n|---|---|---|\n" + repos + "\n\n"
        f"## Precision per rule\n\nRuns {runs} (folder names: the mldebt commit each scanned with); "
        f"{labels} labels in bench/labels.yaml, the same set for both columns; a label counts where its "
        f"finding has the severity it was judged at (`regraded`: judged at another severity or another line, not counted).\n\n"
        + table + "\n"
        "## Glue code per repository\n\nFrom `metrics.glue_code` of the run's reports: glue statements "
        "(format conversion, file shuffling, subprocess calls, argument marshalling) over all counted "
        f"statements, and the {GLUE_MODULES} modules with the most glue statements.\n\n" + glue
    )


#: Everything in bench/ECOSYSTEM.md below this line is written by `report --write`.
TABLE_MARKER = "<!-- generated by `python bench/ecosystem.py report --write`: edit above this line only -->"


# --- command line -------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="bench/ecosystem.py", description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="scan the panel repositories found locally")
    run.add_argument("out", help="folder for one JSON per repository (keep it outside the repo)")
    run.add_argument("--panel-dir", help="folder holding owner+name work trees (default: $MLDEBT_PANEL)")
    run.add_argument("-j", "--jobs", type=int, default=1, help="mldebt worker processes per scan (default 1)")
    run.add_argument("--repo", action="append", help="only this repository (repeatable)")
    run.set_defaults(handler=command_run)

    diff = commands.add_parser("diff", help="findings that appeared or disappeared between two runs")
    diff.add_argument("before")
    diff.add_argument("after")
    diff.add_argument("--show", type=int, default=5, help="findings listed per repo, rule and side")
    diff.set_defaults(handler=command_diff)

    stubs = commands.add_parser("sample", help="YAML stubs for the findings still to judge")
    stubs.add_argument("run")
    stubs.add_argument("--per", type=int, default=DEFAULT_SAMPLE, help="judged findings wanted per repo and rule")
    stubs.add_argument("--since", metavar="RUN", help="only findings that appeared since this earlier run")
    stubs.set_defaults(handler=command_sample)

    for sub in (diff, stubs):
        sub.add_argument("--repo", action="append", help="only this repository (repeatable)")
        sub.add_argument("--rule", action="append", help="only this rule id or prefix (repeatable)")

    labels = commands.add_parser("labels", help="maintain bench/labels.yaml")
    labels_commands = labels.add_subparsers(dest="labels_command", required=True)
    add = labels_commands.add_parser("add", help="merge judged stubs (later verdicts win)")
    add.add_argument("files", nargs="+")
    add.set_defaults(handler=command_labels_add)

    report = commands.add_parser("report", help="per-rule precision from the labels")
    report.add_argument("run")
    report.add_argument("--before", help="an earlier run: figures shown as before -> after")
    report.add_argument("--write", action="store_true", help="also write bench/ECOSYSTEM.md")
    report.set_defaults(handler=command_report)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except BenchError as exc:
        print(f"ecosystem: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
