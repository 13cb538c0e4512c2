from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mldebt.discover import FileKind, is_test_path
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

#: Imports that make a module a service (its handlers call a model; plumbing is its job).
_SERVING = ("fastapi", "flask", "starlette", "django", "aiohttp", "bentoml", "gradio", "streamlit", "litserve", "ray.serve")
#: CLI plumbing is glue in the metrics, but a CLI module is not an adapter.
_ARGUMENTS = "argument-marshalling"

_ADAPTER = '''import json
import os
import pandas as pd


def to_records(frame):
    rows = frame.to_dict("records")
    return [{k.lower(): v for k, v in row.items()} for row in rows]


def save_batch(rows, folder, name):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name + ".json")
    with open(path, "w") as handle:
        handle.write(json.dumps(rows))
    return path


def load_batch(folder, name):
    path = os.path.join(folder, name + ".json")
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return json.loads(handle.read())


def frame_from_batch(folder, name):
    rows = load_batch(folder, name)
    frame = pd.DataFrame.from_records(rows)
    frame = frame.rename(columns={"id": "key"})
    return frame.astype({"key": "int64"})


def export_csv(frame, folder):
    path = os.path.join(folder, "out.csv")
    frame.to_csv(path, index=False)
    return path
'''
_CONFIG = '[tool.mldebt.rules.MLD801]\nmin-glue-statements = 10\n'
#: Model code the plumbing above is tangled with.
_TRAINING = """

def train(folder):
    frame = frame_from_batch(folder, "train")
    x = torch.tensor(frame.values, dtype=torch.float32)
    model = torch.nn.Linear(x.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = torch.nn.functional.mse_loss(model(x), x[:, :1])
    loss.backward()
    optimizer.step()
    torch.save(model.state_dict(), "model.pt")
"""


class GlueHeavyModule(ProjectRule):
    """A module that mixes model code with a majority of glue: format conversion and file shuffling.

    ## Why it matters
    Glue code gets data into and out of general-purpose packages. When it is tangled with the
    model code (a training module that is mostly reshaping frames and shuffling intermediate
    files), the model's behaviour depends on plumbing that no model test covers, and changing a
    package or a format means editing the training code. Move the plumbing into one place (a
    declared pipeline step, a typed adapter) that the model code calls.

    ## Known limitations
    Statements are classified by the calls they make (`rules/knowledge/glue_code.yaml`); a
    function whose library calls are all glue counts as glue as a whole. A module that is all
    plumbing and next to no model code (under `min-model-share`: a converter, a file-handling
    connector, a download helper) is the one place the plumbing should live, and is not
    reported; it still counts in the repository's glue share. Command-line modules (argparse,
    click, typer), web services (FastAPI, Flask, ...), `__init__.py` re-exports, tests and
    small modules are not reported; command-line argument handling does not count.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3 (glue code)
    """

    id = "MLD801"
    name = "glue-heavy-module"
    category = Category.GLUE_CODE
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False

    @dataclass(frozen=True)
    class Options:
        min_share: float = 0.5
        min_glue_statements: int = 40
        #: The share of model code that makes a module's glue tangled with it.
        min_model_share: float = 0.1

    INVALID = [
        Invalid(_ADAPTER.replace("import pandas as pd\n", "import pandas as pd\nimport torch\n") + _TRAINING,
                path="pipeline/train.py", line=1, message="glue", files={"pyproject.toml": _CONFIG}),
    ]
    VALID = [
        Valid(_ADAPTER, path="pipeline/adapters.py"),  # 24 glue statements: a small helper module
        # All plumbing and no model code: the one place the plumbing should be.
        Valid(_ADAPTER, path="pipeline/adapters.py", files={"pyproject.toml": _CONFIG}),
        Valid(_ADAPTER, path="pipeline/__init__.py", files={"pyproject.toml": _CONFIG}),
        Valid(_ADAPTER, path="tests/helpers.py", files={"pyproject.toml": _CONFIG}),
        Valid("import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--out')\n" + _ADAPTER,
              path="cli.py", files={"pyproject.toml": _CONFIG}),
        Valid("from fastapi import FastAPI\napp = FastAPI()\n" + _ADAPTER, path="serve.py",
              files={"pyproject.toml": _CONFIG}),
        Valid(_ADAPTER.replace("import pandas as pd\n", "import pandas as pd\nimport torch\n")
              + "\n\nclass Net(torch.nn.Module):\n" + "".join(f"    def f{i}(self, x):\n        return x * {i}\n" for i in range(20)),
              path="pipeline/adapters.py", files={"pyproject.toml": _CONFIG}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        for path, (kind, facts) in project.files.items():
            lines = facts.glue_lines
            if kind not in FileKind.CODE or not lines.total or is_test_path(path) or path.endswith("__init__.py"):
                continue
            glue = lines.glue - lines.glue_kinds.get(_ARGUMENTS, 0)
            if (
                glue < self.options.min_glue_statements or glue < self.options.min_share * lines.total
                or lines.model < self.options.min_model_share * lines.total
            ):
                continue
            if facts.cli_options or any(e.kind == "cli-command" for e in facts.entry_points) or any(
                m.split(".", 1)[0] in _SERVING or m.startswith(_SERVING) for m in facts.imported_modules
            ):
                continue
            kinds = ", ".join(
                f"{k.replace('-', ' ')} {n}" for k, n in sorted(lines.glue_kinds.items(), key=lambda i: -i[1]) if k != _ARGUMENTS
            )
            yield ProjectFinding(
                1,
                f"this module is {glue / lines.total:.0%} glue ({glue} of {lines.total} statements: {kinds}) "
                f"tangled with {lines.model} statement(s) of model code",
                hint="move the data plumbing out of the model code, into one tested adapter or a declared pipeline step",
                path=path,
            )
