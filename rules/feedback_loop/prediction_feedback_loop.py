from collections.abc import Iterator

import networkx as nx

from mldebt.knowledge import load_table
from mldebt.project import Project
from mldebt.project.graph import hand_offs
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_TRAIN = "import pandas as pd, torch\ndf = pd.read_csv('data/labels.csv')\ntorch.save(m, 'models/model.pt')\n"
_PREDICT = "import torch\nm = torch.load('models/model.pt', weights_only=True)\npreds.to_csv('data/labels.csv')\n"


class PredictionFeedbackLoop(ProjectRule):
    """A cycle through code and artifacts: a model's outputs come back as its own training input.

    ## Why it matters
    `predict.py` writes predictions to the file `train.py` learns from, using the model
    `train.py` saved: each retraining learns from the previous model's output. Such hidden
    feedback loops amplify the model's own errors and make its behaviour impossible to
    analyse in isolation. Reported once per cycle, at the read that closes it, naming the
    whole path.

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
    ]
    VALID = [
        Valid(_TRAIN, path="train.py", files={"predict.py": _PREDICT.replace("data/labels.csv", "outputs/preds.csv")}),
        Valid("import torch\nsd = torch.load('ckpt.pt', weights_only=True)\ntorch.save(sd, 'ckpt.pt')\n", path="train.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        graph = hand_offs(project.graph)
        model_suffixes = tuple(load_table("data_io")["model_suffixes"])
        for cycle in sorted(nx.simple_cycles(graph), key=lambda c: sorted(c)):
            code = [n for n in cycle if n.startswith("code:")]
            if len(code) < 2:
                continue
            # The loop closes where data (not a model) is read by code that writes a model:
            # the training step consuming what the model produced.
            reads = [(cycle[i - 1], n) for i, n in enumerate(cycle) if n.startswith("code:")]
            trains = [
                (artifact, reader) for artifact, reader in reads
                if not artifact.endswith(model_suffixes)
                and any(graph.has_edge(reader, a) and a.endswith(model_suffixes) for a in cycle)
            ]
            artifact, reader = min(trains or reads)
            edge = graph.edges[artifact, reader]
            if "line" not in edge:
                continue
            start = cycle.index(reader)
            ordered = cycle[start:] + cycle[:start] + [reader]
            yield ProjectFinding(
                edge["line"],
                "feedback loop: " + " -> ".join(n.split(":", 1)[1] for n in ordered),
                hint="train on data the model did not produce, or make the loop explicit and monitored",
                path=reader.split(":", 1)[1],
            )
