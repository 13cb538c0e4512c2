from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.project import Project
from mldebt.project.graph import ReadingsIndex, edge_readings, hand_offs, hands_over, same_artifact
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

#: Intermediate artifacts a chain needs before it is a jungle.
MIN_CHAIN = 3
_MAX_CHAIN = 8

_SCRAPE = "import pandas as pd\ndf = pd.read_json('raw/events.json')\ndf.to_csv('work/events.csv')\n"
_CLEAN = "import pandas as pd\ndf = pd.read_csv('work/events.csv')\ndf.to_parquet('work/clean.parquet')\n"
_FEATURES = "import pandas as pd\ndf = pd.read_parquet('work/clean.parquet')\ndf.to_pickle('work/features.pkl')\n"
_TRAIN = "import pandas as pd\nX = pd.read_pickle('work/features.pkl')\nmodel.fit(X)\n"
_JUNGLE = {"clean.py": _CLEAN, "features.py": _FEATURES, "train.py": _TRAIN}
_DVC = """stages:
  clean: {cmd: python clean.py, deps: [work/events.csv], outs: [work/clean.parquet]}
  features: {cmd: python features.py, deps: [work/clean.parquet], outs: [work/features.pkl]}
  train: {cmd: python train.py, deps: [work/features.pkl]}
"""


def _format(path: str) -> str:
    return posixpath.splitext(path)[1].lower() or "(none)"


class PipelineJungle(ProjectRule):
    """Intermediate files in several formats handed from script to script with no declared pipeline.

    ## Why it matters
    `scrape.py` writes a CSV that `clean.py` turns into Parquet that `features.py` pickles for
    `train.py`: a pipeline jungle. Nothing says in which order the steps run, which outputs are
    stale, or who else reads them; every format change ripples through the chain by hand.
    Declared stages (`dvc.yaml` deps and outs, an orchestrator) make the chain explicit and
    rebuildable. Reported once per chain, at the write of its first artifact, naming it whole.

    ## Known limitations
    Only paths known statically are followed (the data/model graph); a chain needs three
    artifacts each written by one script and read by another, in at least two formats, and
    hand-overs that a `dvc.yaml` stage or `[tool.mldebt] declared-consumers` declares break it.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3 (pipeline jungles)
    """

    id = "MLD802"
    name = "pipeline-jungle"
    category = Category.GLUE_CODE
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid(_SCRAPE, path="scrape.py", line=3, message="`work/events.csv` (clean.py)", files=_JUNGLE),
    ]
    VALID = [
        Valid(_SCRAPE, path="scrape.py", files={**_JUNGLE, "dvc.yaml": _DVC}),
        Valid(_SCRAPE, path="scrape.py", files={"clean.py": _CLEAN, "train.py": _TRAIN}),  # two hand-overs only
        Valid(_SCRAPE.replace(".json", ".csv"), path="scrape.py", files={  # one format throughout
            "clean.py": _CLEAN.replace(".parquet", ".csv").replace("to_csv", "to_csv"),
            "features.py": _FEATURES.replace("read_parquet('work/clean.parquet')", "read_csv('work/clean.csv')")
            .replace("to_pickle('work/features.pkl')", "to_csv('work/features.csv')"),
            "train.py": _TRAIN.replace("read_pickle('work/features.pkl')", "read_csv('work/features.csv')"),
        }),
        Valid(_SCRAPE, path="tests/test_scrape.py", files=_JUNGLE),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        graph = hand_offs(project.graph)
        # artifact (as written) -> (writer, line, every path the write may mean)
        writes: dict[str, list[tuple[str, int, tuple[str, ...]]]] = defaultdict(list)
        for code, artifact, edge in graph.edges(data=True):
            if hands_over(edge) and not is_test_path(code[5:]):
                writes[artifact.split(":", 1)[1]].append((code[5:], edge["line"], edge_readings(artifact, edge)))
        if not any(self.reports(writer) for sites in writes.values() for writer, _, _ in sites):
            return  # a finding is reported at a writer
        # Indexed, not every read against every write (3,000 x 3,000 took minutes).
        write_index = ReadingsIndex([(written, paths, writer) for written, sites in writes.items() for writer, _, paths in sites])
        readers: dict[str, set[str]] = defaultdict(set)  # artifact -> scripts it is handed to
        read_at: dict[tuple[str, str], int] = {}  # (artifact, script) -> first line reading it
        for artifact, code, edge in graph.edges(data=True):
            reader = code[5:]
            if edge["relation"] != "reads" or edge["declared"] or is_test_path(reader):
                continue
            meant = edge_readings(artifact, edge)
            if any(p in project.present for p in meant):
                continue  # a committed file is a versioned source, not a hand-over
            for written, paths, writer in write_index.candidates(meant):
                matched = [r for r in meant if any(same_artifact(r, w) for w in paths)]
                # as for MLD501: a match under every reading is evidence in itself
                if writer != reader and matched and (len(matched) == len(meant) or project.same_project(writer, reader)):
                    readers[written].add(reader)
                    if "line" in edge:
                        read_at[written, reader] = min(edge["line"], read_at.get((written, reader), edge["line"]))
        written_by: dict[str, set[str]] = defaultdict(set)  # script -> artifacts it writes
        for written, sites in writes.items():
            for writer, _, _ in sites:
                written_by[writer].add(written)
        steps = {
            artifact: {written for reader in readers[artifact] for written in written_by[reader] if written != artifact}
            for artifact in readers
        }
        intermediate = set(readers)
        later = set().union(*steps.values())
        chains = []
        for start in sorted(intermediate):
            if start in later:
                continue  # not the first artifact of its chain
            chains += self._longest(start, steps, intermediate)
        for chain in chains:
            if len(chain) < MIN_CHAIN or len({_format(a) for a in chain}) < 2:
                continue
            writer, line, _ = sorted(writes[chain[0]])[0]
            named = " → ".join(f"`{a}` ({', '.join(sorted(readers[a]))})" for a in chain)
            yield ProjectFinding(
                line,
                f"pipeline jungle: {named}, {len(chain)} intermediate files in "
                f"{len({_format(a) for a in chain})} formats with no declared pipeline",
                hint="declare the steps (dvc.yaml stages with deps and outs, or an orchestrator's tasks) "
                "so the chain is explicit and rebuilt in order",
                path=writer,
                related=tuple(dict.fromkeys(
                    site for a in chain
                    for site in [*((w, l) for w, l, _ in sorted(writes[a])), *((r, read_at.get((a, r))) for r in sorted(readers[a]))]
                    if site != (writer, line)
                )),
            )

    def _longest(self, start: str, steps: dict[str, set[str]], intermediate: set[str]) -> list[list[str]]:
        """The longest chain of intermediate artifacts from `start` (cycles are MLD502's)."""
        best: list[str] = [start]
        stack = [[start]]
        while stack:
            chain = stack.pop()
            if len(chain) > len(best):
                best = chain
            if len(chain) < _MAX_CHAIN:
                stack += [chain + [n] for n in sorted(steps.get(chain[-1], ())) if n in intermediate and n not in chain]
        return [best]
