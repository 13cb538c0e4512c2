"""The ML Test Score (Breck et al., IEEE BigData 2017) from static evidence.

Each of the paper's 28 tests is scored from facts the file phase collected and findings the
rules reported, never by re-parsing: 1.0 when the evidence runs without a person (a CI step, a
test CI runs, a scheduled job, a pipeline stage, a check inside code that runs every time),
0.5 when it exists but nothing runs it (a notebook, a script nobody automates, tests no CI
runs), 0 without evidence. Tests mldebt cannot assess from a repository are
`not-assessable` unless the team attests them (`[tool.mldebt.attest]`). A section is the sum
of its tests; the final score is the minimum of the sections, as in the paper.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from mldebt.discover import FileKind, is_test_path
from mldebt.knowledge import Detector, detectors, load_table
from mldebt.project.commands import Commands
from mldebt.project.model import Project
from mldebt.rule import Severity

if TYPE_CHECKING:
    from mldebt.report import Finding

SECTIONS = ("data", "model", "infrastructure", "monitoring")
AUTOMATED, MANUAL, NONE = 2, 1, 0
_VERDICTS = {AUTOMATED: "automated", MANUAL: "manual", NONE: "none"}
POINTS = {AUTOMATED: 1.0, MANUAL: 0.5, NONE: 0.0}
LEVELS = {"automated": AUTOMATED, "manual": MANUAL}
#: Evidence shown per test: enough to find it, not a listing of the repository.
MAX_EVIDENCE = 5


@cache
def table() -> dict:
    return load_table("ml_test_score")


def reads_findings_of(rule_id: str, category: str) -> bool:
    """Whether the score reads this rule's findings (`against` in the knowledge table): only
    those must be found in every file when a scan reports a few (`ProjectRule.reports`)."""
    selectors = {s for names in table()["against"].values() for s in names}
    return rule_id in selectors or category in selectors


def band(final: float) -> dict:
    """The paper's band for a final score: `{band, short, color}`."""
    return next(b for b in table()["bands"] if final <= b["upto"])


def assessable(test_id: str) -> bool:
    return "why_not" not in table()["tests"][test_id]


@dataclass(frozen=True, order=True)
class Location:
    """Where evidence is: a path relative to the project root and a line; in a notebook the
    line counts within `cell` (0-based, markdown cells counted), as findings do."""

    path: str
    line: int
    cell: int | None = None

    def __str__(self) -> str:
        return f"{self.path}[cell {self.cell}]:{self.line}" if self.cell is not None else f"{self.path}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "line": self.line}
        if self.cell is not None:
            data["cell"] = self.cell
        return data


@dataclass(frozen=True)
class TestScore:
    id: str
    section: str
    title: str
    verdict: str  # automated | manual | none | not-assessable | attested
    points: float
    evidence: tuple[Location, ...]
    #: One sentence: what the evidence is and why it scores as it does (or why the test
    #: cannot be assessed); for an attestation, the team's reason.
    detail: str
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id, "section": self.section, "title": self.title, "verdict": self.verdict,
            "points": self.points, "evidence": [e.to_dict() for e in self.evidence],
            "detail": self.detail,
        }
        if self.reason is not None:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class Score:
    final: float
    band: str
    sections: dict[str, float]
    tests: tuple[TestScore, ...]
    next_steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "final": self.final,
            "band": self.band,
            "sections": {name: {"score": value} for name, value in self.sections.items()},
            "tests": [t.to_dict() for t in self.tests],
            "next_steps": list(self.next_steps),
        }


@dataclass(frozen=True)
class _Found:
    location: Location
    level: int
    why: str


_TEST_FOLDERS = frozenset({"test", "tests", "testing", "unittests"})


def _named_paths(name: str, files: Iterable[str]) -> set[str]:
    """The repository paths a command's argument may name: `tests` at the root, or under the
    folder a CI step runs in (`working-directory: sub/project` makes it `sub/project/tests`)."""
    found = set()
    for path in files:
        if path == name or path.startswith(name + "/"):
            found.add(name)
        elif path.endswith("/" + name) or "/" + name + "/" in path:
            found.add(path[: path.index("/" + name) + 1 + len(name)])
    return found


def _in_test_folder(path: str) -> bool:
    """A test module where runners collect tests: in a `tests/` folder or at the root (a
    `test_*.py` among examples is usually a script named so)."""
    folders = path.split("/")[:-1]
    return not folders or bool(_TEST_FOLDERS & set(folders))


class Automation(Commands):
    """Which files run without a person: tests CI runs and the modules they import, scripts
    CI steps (directly or through the shell scripts and job manifests they name) and DVC stages
    run, and their imports; CI workflows and schedules themselves."""

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self.runners = [re.compile(p) for p in table()["test_runners"]]
        self._imports: dict[str, list[tuple[str, int]]] = {}
        self.ci_test_step: Location | None = None
        ran = dict(self.automated)
        targets: set[str] | None = set()
        for path, command, _ in self.commands:
            runner = next((m for r in self.runners if (m := r.search(command.text))), None)
            if runner is not None:
                self.ci_test_step = self.ci_test_step or Location(path, command.line)
                named = self._test_paths(command.text[runner.end():])
                targets = None if named is None or targets is None else targets | named
        if self.ci_test_step is not None:
            for path, (kind, _) in project.files.items():
                if kind != FileKind.PYTHON or not is_test_path(path):
                    continue
                if targets is None:  # a runner given no paths: the tests of test folders and the root
                    runs = _in_test_folder(path)
                else:
                    runs = any(path == t or path.startswith(t + "/") for t in targets)
                if runs:
                    ran.setdefault(path, f"a test CI runs ({self.ci_test_step})")
        self.runs = dict(ran)
        for path, why in ran.items():
            if self.project.kind(path) == FileKind.PYTHON:
                for imported, _ in self.imports_of(path):
                    if not is_test_path(imported):
                        self.runs.setdefault(imported, f"imported by {path}, {why}")

    def _test_paths(self, arguments: str) -> set[str] | None:
        """The folders or files of this repository a test runner's arguments name (`tests/unit`;
        none when it runs another checkout's tests), or None when it names no path at all (the
        runner collects every test)."""
        named = {
            word.rstrip("/").removeprefix("./") for word in arguments.split()
            if not word.startswith("-") and "=" not in word and ("/" in word or word.endswith(".py") or word.startswith("test"))
        }
        if not named:
            return None
        return {found for name in named for found in _named_paths(name, self.project.files)}

    def imports_of(self, path: str) -> list[tuple[str, int]]:
        """(file, line) of every repository module `path` imports (memoised: the tests, the
        shared features and the CI runs each ask for the same files)."""
        if path not in self._imports:
            found: dict[str, int] = {}
            for site in self.project.files[path][1].imports:
                target = self.project.module_file(path, site.module)
                if target and target != path and target not in found:
                    found[target] = site.line
            self._imports[path] = list(found.items())
        return self._imports[path]


@cache
def _glob_matcher(patterns: tuple[str, ...]) -> Callable[[str], Any]:
    """Whether a path matches any of the `fnmatch` patterns: one compiled expression, not a
    pattern at a time for every file of the tree."""
    return re.compile("|".join(map(fnmatch.translate, patterns))).match


class _Scorer:
    def __init__(self, project: Project, findings: list[Finding]) -> None:
        self.project = project
        self.findings = findings
        self.automation = project.automation
        knowledge = table()
        self.serving = re.compile(knowledge["serving_paths"])
        self.training = re.compile(knowledge["training_paths"])
        self.feature = re.compile(knowledge["feature_paths"])
        self.model = re.compile(knowledge["model_paths"])
        self.evidence: dict[str, list[Location]] = defaultdict(list)
        for path, (_, facts) in project.files.items():
            for site in facts.evidence:
                self.evidence[site.detector].append(Location(path, site.line, site.cell))

    @cached_property
    def _present(self) -> list[str]:
        return sorted(self.project.present)

    def trains(self, path: str) -> bool:
        """A training entry point: code the reproducibility facts mark as training (an optimizer
        step, `.fit(...)`, an epoch loop), or a module named for training."""
        return bool(self.project.files[path][1].training_markers) or bool(self.training.search(path))

    # --- where a piece of evidence sits, and what that makes it ----------------------------

    def level(self, detector: Detector, path: str, where: str | None) -> tuple[int, str]:
        kind = self.project.kind(path)
        if kind == FileKind.CI_WORKFLOW:
            schedule = self.automation.scheduled.get(path)
            return AUTOMATED, f"a CI step{' on a schedule' if schedule else ''}"
        if kind == FileKind.DEPLOYMENT:
            return AUTOMATED, "a deployment manifest"
        if kind == FileKind.SHELL and path not in self.automation.runs:
            return MANUAL, "a script no CI job runs"
        if where == "serving" and kind == FileKind.PYTHON and not is_test_path(path):
            if self.serving.search(path):
                return AUTOMATED, "in serving code, checked on every request"
            return MANUAL, "outside serving code: served data is not checked"
        if path in self.automation.runs:
            return AUTOMATED, self.automation.runs[path]
        if kind == FileKind.NOTEBOOK:
            return MANUAL, "in a notebook, run by hand"
        if is_test_path(path):
            return MANUAL, "a test that no CI job runs"
        if detector.inline and kind == FileKind.PYTHON:
            return AUTOMATED, "a check that runs every time this code runs"
        return MANUAL, "in code that no CI job, pipeline stage or schedule runs"

    def found(self, detector: Detector, where: str | None) -> list[_Found]:
        if detector.tested:
            return self._tested(detector.tested)
        if detector.shared:
            return self._shared()
        results = []
        first: dict[str, Location] = {}
        for location in self.evidence.get(detector.name, ()):
            if where == "serving" and is_test_path(location.path):
                continue  # a test checks data once, it does not watch what is served
            first.setdefault(location.path, location)  # one piece of evidence per file: where it starts
        for path, location in first.items():
            level, why = self.level(detector, path, where)
            results.append(_Found(location, level, f"{detector.describes}; {why}"))
        matches = _glob_matcher(detector.files)
        for path in self._present if detector.files else ():
            if matches(path):
                level = AUTOMATED if detector.automated_files else MANUAL
                why = "acted on by the platform" if detector.automated_files else "nothing runs it automatically"
                results.append(_Found(Location(path, 1), level, f"{detector.describes}; {why}"))
        if detector.scheduled:
            results += self._scheduled_training(detector)
        return results

    def _tested(self, target: str) -> list[_Found]:
        """Test files that import feature (or model) code: automated when CI runs the tests."""
        pattern = self.feature if target == "feature" else self.model
        model_files = {location.path for location in self.evidence.get("model-definition", ())}
        results = []
        for path, (kind, _) in self.project.files.items():
            if kind != FileKind.PYTHON or not is_test_path(path) or not (_in_test_folder(path) or path in self.automation.runs):
                continue
            for imported, line in self.automation.imports_of(path):
                if is_test_path(imported):
                    continue
                if pattern.search(imported) or (target == "model" and imported in model_files):
                    level = AUTOMATED if path in self.automation.runs else MANUAL
                    why = self.automation.runs.get(path, "a test that no CI job runs")
                    results.append(_Found(Location(path, line), level, f"a test imports {imported}; {why}"))
        return results

    def _shared(self) -> list[_Found]:
        """Feature code both a training entry point and serving code import: one computation,
        but nothing compares the values, so it scores as manual."""
        importers: dict[str, dict[str, Location]] = defaultdict(dict)
        for path, (kind, _) in self.project.files.items():
            if kind != FileKind.PYTHON or is_test_path(path):
                continue
            role = "serving" if self.serving.search(path) else "training" if self.trains(path) else None
            if role is None:
                continue
            for imported, line in self.automation.imports_of(path):
                if self.feature.search(imported):
                    importers[imported].setdefault(role, Location(path, line))
        return [
            _Found(roles[role], MANUAL, f"{module} is imported by training and serving code; nothing compares the values")
            for module, roles in sorted(importers.items())
            if {"serving", "training"} <= set(roles)
            for role in ("training", "serving")
        ]

    def _scheduled_training(self, detector: Detector) -> list[_Found]:
        """Training a scheduled job runs (a workflow with a schedule and no push or pull-request
        trigger: a scheduled CI run of the tests is not retraining)."""
        pipeline = detectors()["pipeline-run"]
        results = []
        for path, command, origin in self.automation.commands:
            if origin not in self.automation.scheduled_jobs:
                continue
            trains = any(p.search(command.text) for p in pipeline.text_patterns) or any(
                self.trains(script) for script in self.automation.scripts_in(command.text)
            )
            if trains:
                schedule = f"{origin}:{self.automation.scheduled[origin]}"
                results.append(_Found(Location(path, command.line), AUTOMATED, f"training runs on the schedule at {schedule}"))
        return results

    # --- the tests ---------------------------------------------------------------------------

    def against(self, test_id: str) -> list[Finding]:
        """Warnings and errors that bear against a test (`against` in the knowledge table)."""
        selectors = table()["against"].get(test_id, ())
        return [
            f for f in self.findings
            if (f.category in selectors or f.rule in selectors) and Severity.parse(f.severity) >= Severity.WARNING
        ]

    def test(self, test_id: str, attestations: dict[str, tuple[str, str]]) -> TestScore:
        spec = table()["tests"][test_id]
        title, section = spec["title"], spec["section"]
        if not assessable(test_id):
            if test_id in attestations:
                level, reason = attestations[test_id]
                points = POINTS[LEVELS[level]]
                return TestScore(test_id, section, title, "attested", points, (), f"attested as {level}", reason)
            return TestScore(test_id, section, title, "not-assessable", 0.0, (), f"not assessable statically: {spec['why_not']}")
        if test_id == "I1":
            found = self._reproducible()
        else:
            found = [f for name in spec["evidence"] for f in self.found(detectors()[name], spec.get("where"))]
        best = max((f.level for f in found), default=NONE)
        shown = sorted({f.location: f for f in found if f.level == best}.values(), key=lambda f: (f.location.path, -1 if f.location.cell is None else f.location.cell, f.location.line))
        detail = shown[0].why if shown else "no evidence found"
        against = self.against(test_id)
        if against and best > NONE:
            best -= 1
            rules = sorted({f.rule for f in against})
            first = against[0]
            detail += f"; lowered by {len(against)} finding(s) ({', '.join(rules)}), first at {first.path}:{first.line}"
        elif against:
            detail += f"; {len(against)} finding(s) bear against it ({', '.join(sorted({f.rule for f in against}))})"
        evidence = tuple(f.location for f in shown[:MAX_EVIDENCE])
        return TestScore(test_id, section, title, _VERDICTS[best], POINTS[best], evidence, detail)

    def _reproducible(self) -> list[_Found]:
        """Infra 1 from what makes a run repeatable: seeded generators, locked dependencies and
        versioned data (manual: a person can rerun it), all three behind a declared pipeline
        (automated: `dvc repro` reruns training). Reproducibility, unversioned-data and
        dependency findings lower it (see `against`)."""
        seeds, locks, data, pipelines = [], [], [], []
        for path, (kind, facts) in self.project.files.items():
            if facts.seeds and not is_test_path(path):
                seeds.append(_Found(Location(path, facts.seeds[0].line), MANUAL, "training code seeds its random generators"))
            if kind == FileKind.LOCK_FILE or facts.locked:
                locks.append(_Found(Location(path, 1), MANUAL, "dependencies are locked"))
            if kind in (FileKind.DVC_FILE, FileKind.GITATTRIBUTES) and facts.versioned_paths:
                data.append(_Found(Location(path, 1), MANUAL, "data is versioned (DVC or git-lfs)"))
            pipelines += [Location(path, stage.line) for stage in facts.pipeline_stages]
        found = seeds + locks + data
        if pipelines and seeds and locks and data:
            found.append(_Found(pipelines[0], AUTOMATED, "a declared pipeline reruns seeded training from locked dependencies and versioned data"))
        return found


def score(project: Project, findings: list[Finding], attestations: dict[str, tuple[str, str]] | None = None) -> Score:
    """The ML Test Score of a scanned repository. `attestations` maps test ids that cannot be
    assessed to (level, reason), from `[tool.mldebt.attest]`."""
    scorer = _Scorer(project, findings)
    tests = tuple(scorer.test(test_id, attestations or {}) for test_id in table()["tests"])
    sections = {name: sum(t.points for t in tests if t.section == name) for name in SECTIONS}
    final = min(sections.values())
    return Score(final, band(final)["band"], sections, tests, _next_steps(tests, sections))


def _next_steps(tests: tuple[TestScore, ...], sections: dict[str, float]) -> tuple[str, ...]:
    """The three cheapest steps that raise the lowest section(s): tests below full points,
    cheapest first, taken in turn from each section tied at the minimum."""
    lowest = [name for name in SECTIONS if sections[name] == min(sections.values())]
    specs = table()["tests"]
    queues = [
        sorted(
            (t for t in tests if t.section == name and t.points < 1.0),
            key=lambda t: (specs[t.id]["effort"], t.points, t.id),
        )
        for name in lowest
    ]
    steps: list[str] = []
    while len(steps) < 3 and any(queues):
        for queue in queues:
            if queue and len(steps) < 3:
                t = queue.pop(0)
                step = specs[t.id]["next_step"]
                if t.verdict == "not-assessable":
                    step += f", then attest it in [tool.mldebt.attest] (\"{t.id}\" = {{ level = \"manual\", reason = \"...\" }})"
                steps.append(f"{t.id} {t.title}: {step}")
    return tuple(steps)
