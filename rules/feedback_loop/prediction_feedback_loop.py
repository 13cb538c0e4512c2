from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mldebt.knowledge import load_table
from mldebt.project import Project
from mldebt.project.graph import hand_offs
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

if TYPE_CHECKING:
    import networkx as nx

_TRAIN = "import pandas as pd, torch\ndf = pd.read_csv('data/labels.csv')\ntorch.save(m, 'models/model.pt')\n"
_PREDICT = "import torch\nm = torch.load('models/model.pt', weights_only=True)\npreds.to_csv('data/labels.csv')\n"
_RELABEL = "import pandas as pd\nreviewed = pd.read_csv('outputs/preds.csv')\nreviewed.to_csv('data/labels.csv')\n"


class PredictionFeedbackLoop(ProjectRule):
    """A cycle through code and artifacts: a model's outputs come back as its own training input.

    ## Why it matters
    `predict.py` writes predictions to the file `train.py` learns from, using the model
    `train.py` saved: each retraining learns from the previous model's output. Such hidden
    feedback loops amplify the model's own errors and make its behaviour impossible to
    analyse in isolation. Reported once per cycle where the model's outputs come back: at the
    read of what the code using the model writes (its predictions), naming the whole path.

    ## Known limitations
    Only cycles through at least two pieces of code: a script that resumes from its own
    checkpoint, or re-downloads a file it also reads, is not a loop. Artifacts are the same
    node only when their paths are equal as written.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 4 (feedback loops)
    """

    id = "MLD502"
    name = "prediction-feedback-loop"
    category = Category.FEEDBACK_LOOP
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid(_TRAIN, path="train.py", line=2, message="predict.py", files={"predict.py": _PREDICT}),
        Invalid(
            _RELABEL, path="relabel.py", line=2, message="outputs/preds.csv holds the outputs of the model models/model.pt",
            files={"train.py": _TRAIN, "predict.py": _PREDICT.replace("data/labels.csv", "outputs/preds.csv")},
        ),
    ]
    VALID = [
        Valid(_TRAIN, path="train.py", files={"predict.py": _PREDICT.replace("data/labels.csv", "outputs/preds.csv")}),
        Valid("import torch\nsd = torch.load('ckpt.pt', weights_only=True)\ntorch.save(sd, 'ckpt.pt')\n", path="train.py"),
        # predictions reviewed into a report, not into the training data
        Valid(_RELABEL.replace("data/labels.csv", "reports/review.csv"), path="relabel.py", files={
            "train.py": _TRAIN, "predict.py": _PREDICT.replace("data/labels.csv", "outputs/preds.csv"),
        }),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        import networkx as nx  # not at the top: the per-file analysis imports this module, never needs it

        graph = hand_offs(project.graph)
        model_suffixes = tuple(load_table("data_io")["model_suffixes"])
        for cycle in sorted(nx.simple_cycles(graph), key=lambda c: sorted(c)):
            if sum(n.startswith("code:") for n in cycle) < 2:
                continue
            entry = _entry(graph, cycle, model_suffixes)
            if entry is None:
                continue
            artifact, reader, writer = entry
            start = cycle.index(reader)
            ordered = cycle[start:] + cycle[:start] + [reader]
            model = cycle[cycle.index(writer) - 1]
            outputs = (
                f"{_name(artifact)} holds the outputs of the model {_name(model)} ({_name(writer)}) and comes back "
                "into its training: " if model.endswith(model_suffixes) and not artifact.endswith(model_suffixes) else ""
            )
            yield ProjectFinding(
                graph.edges[artifact, reader]["line"],
                "feedback loop: " + outputs + " -> ".join(_name(n) for n in ordered),
                hint="train on data the model did not produce, or make the loop explicit and monitored",
                path=_name(reader),
                related=tuple(
                    (_name(code), data["line"])
                    for code, data in (_site(graph, a, b) for a, b in zip(ordered, ordered[1:]))
                    if code != reader and "line" in data
                ),
            )


def _name(node: str) -> str:
    return node.split(":", 1)[1]


def _site(graph: nx.DiGraph, source: str, target: str) -> tuple[str, dict]:
    """The code end of a cycle's edge and the edge's data."""
    return (source if source.startswith("code:") else target), graph.edges[source, target]


def _entry(graph: nx.DiGraph, cycle: list[str], model_suffixes: tuple[str, ...]) -> tuple[str, str, str] | None:
    """(artifact, code reading it, code writing it) where the model's outputs re-enter: the
    read of what code that loads a model of the cycle writes (its predictions). Without a
    recognisable model, the read of data by code that writes a model (the training step);
    else any read. Only reads with a line in the code (a `dvc.yaml` declaration has none)."""
    reads = [
        (cycle[i - 1], node, cycle[i - 2]) for i, node in enumerate(cycle)
        if node.startswith("code:") and "line" in graph.edges[cycle[i - 1], node]
    ]
    predictions = [
        (artifact, reader, writer) for artifact, reader, writer in reads
        if writer.startswith("code:") and cycle[cycle.index(writer) - 1].endswith(model_suffixes)
        and not artifact.endswith(model_suffixes)
    ]
    trains = [
        (artifact, reader, writer) for artifact, reader, writer in reads
        if not artifact.endswith(model_suffixes) and any(graph.has_edge(reader, a) and a.endswith(model_suffixes) for a in cycle)
    ]
    return min(predictions or trains or reads, default=None)
