from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.project import Project, related
from mldebt.project.graph import hand_offs, same_artifact
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_TRAIN = "import torch\ntorch.save(model.state_dict(), 'models/model.pt')\n"
_SERVE = "import torch\nsd = torch.load('models/model.pt', weights_only=True)\n"


class UndeclaredArtifactConsumer(ProjectRule):
    """Reads an artifact that other code in the repository writes, with no declared pipeline edge.

    ## Why it matters
    `serve.py` loads the `models/model.pt` that `train.py` writes, and nothing says so: change
    the training output format and serving breaks, retrain and serving silently picks up the
    new model. A `dvc.yaml` stage whose deps list the artifact declares the consumer (and lets
    `dvc repro` rebuild in order).

    ## Known limitations
    A script that reads back what it wrote itself (resuming from a checkpoint, downloading a
    file if missing) is not an undeclared consumer. Paths are matched as patterns
    (`outputs/preds_*.csv`), except those whose start is unknown; producer and consumer must
    belong to one project (one's folder encloses the other's). Test code is not checked.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 2 (undeclared consumers)
    """

    id = "MLD501"
    name = "undeclared-artifact-consumer"
    category = Category.UNDECLARED_CONSUMER
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid(_SERVE, path="serve.py", line=2, message="written by train.py:2", files={"train.py": _TRAIN}),
    ]
    VALID = [
        Valid(_SERVE, path="serve.py", files={
            "train.py": _TRAIN,
            "dvc.yaml": "stages:\n  serve:\n    cmd: python serve.py\n    deps: [models/model.pt]\n",
        }),
        Valid(_SERVE, path="serve.py", files={
            "train.py": _TRAIN,
            "pyproject.toml": "[tool.mldebt]\ndeclared-consumers = [{artifact = 'models/*.pt', consumer = 'serve.py'}]\n",
        }),
        Valid("import torch\nsd = torch.load('models/model.pt', weights_only=True)\ntorch.save(sd, 'models/model.pt')\n", path="train.py"),
        Valid(_SERVE, path="tests/test_serve.py", files={"train.py": _TRAIN}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        graph = hand_offs(project.graph)
        writes = [(u, v, d) for u, v, d in graph.edges(data=True) if d["relation"] == "writes"]
        for artifact, consumer, edge in graph.edges(data=True):
            if edge["relation"] != "reads" or edge["declared"] or "line" not in edge:
                continue
            code = consumer.split(":", 1)[1]
            if is_test_path(code):
                continue
            path = artifact.split(":", 1)[1]
            if path in project.present:
                continue  # a committed file is a versioned source, not a hand-over between scripts
            producers = sorted((
                (w.split(":", 1)[1], d.get("line"))
                for w, target, d in writes
                if w != consumer and same_artifact(path, target.split(":", 1)[1])
                and not is_test_path(w.split(":", 1)[1]) and related(w.split(":", 1)[1], code)
            ), key=lambda site: (site[0], site[1] or 0))
            named = [f"{p}:{line}" if line else p for p, line in producers[:3]]
            if producers:  # dvc.yaml or [tool.mldebt] declared-consumers would mark the edge declared
                yield ProjectFinding(
                    edge["line"],
                    f"`{path}` is written by {', '.join(named)} and read here with no declared pipeline edge",
                    hint="declare it: a dvc.yaml stage with the artifact in its `deps`, or "
                    "`declared-consumers` in [tool.mldebt]",
                    path=code,
                    related=tuple(producers),
                )
