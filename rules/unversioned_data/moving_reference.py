import re
from collections import Counter

import libcst as cst

from mldebt.extract.context import evaluated
from mldebt.project.demos import DEMO_EXAMPLE, DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid, notebook

#: A model-registry URI by stage or alias (`models:/churn/Production`, `models:/churn@champion`).
_REGISTRY = re.compile(r"^models:/[^/@\s]+(?:/(?P<stage>[^/\s]+)|@(?P<alias>[^/\s]+))$")
_STAGES = frozenset({"production", "staging", "archived", "none", "latest"})
#: A file URL on a branch, which serves whatever the branch holds today.
_BRANCH_URL = re.compile(
    r"https?://(?:raw\.githubusercontent\.com/[^/\s]+/[^/\s]+/(?P<raw>main|master|HEAD|develop|dev|trunk)/"
    r"|github\.com/[^/\s]+/[^/\s]+/raw/(?P<gh>main|master|HEAD|develop|dev|trunk)/"
    r"|gitlab\.com/[^\s]+/-/raw/(?P<gl>main|master|HEAD|develop)/"
    r"|huggingface\.co/[^\s]+/resolve/(?P<hf>main)/"
    r"|github\.com/[^/\s]+/[^/\s]+/releases/(?P<release>latest)/download/)"
)
_PLACEHOLDER = "\x00"
_QUOTED = re.compile(r"^[A-Za-z]*(\"\"\"|'''|\"|')(.*)\1$", re.DOTALL)


class MovingReference(PythonRule):
    """Loads a model or data by a name that moves: a model-registry stage or alias, or a URL on a branch.

    ## Why it matters
    `models:/churn/Production` is whichever version someone promoted last; `raw.githubusercontent.com/
    org/repo/main/data.csv` is whatever `main` holds today. The code does not change when they do,
    so a retrain or an evaluation silently uses other weights or other data, and nobody can say
    which. A registry version number, a commit SHA in the URL or a release tag pins them.

    ## Known limitations
    Reported as info: serving code may follow a registry stage on purpose (the version it
    loaded should then be logged). The string must be used: one assigned to a name (or held in
    a constant mapping or list bound to one) that nothing in its module reads is a reference
    kept for the reader (a table copied from a library, a link), not a load, and is not
    reported; a string given to a call, returned or kept on an object is. Not reported in demo code (a notebook nothing runs, a library's
    examples and tutorials), which fetches sample files from its own branch on purpose. A stage
    or alias in an f-string is seen when its placeholder is named `stage` or `alias`.
    Docstrings are not read.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3 (unstable data dependencies)
    - MLflow Model Registry docs, "Fetching an MLflow Model from the Model Registry"
    """

    id = "MLD307"
    name = "moving-reference"
    category = Category.UNVERSIONED_DATA
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    in_demos = {DEMO_NOTEBOOK: None, DEMO_EXAMPLE: None}
    INVALID = [
        Invalid("import mlflow\nmodel = mlflow.pyfunc.load_model('models:/churn/Production')\n", line=2,
                message="stage `Production`"),
        Invalid("import mlflow\ndef test_model(name, stage):\n    return mlflow.pyfunc.load_model(f'models:/{name}/{stage}')\n",
                line=3, message="`models:/{name}/{stage}`"),
        Invalid("import mlflow\nm = mlflow.sklearn.load_model('models:/churn@champion')\n", message="alias `champion`"),
        # A notebook a CI job runs (`pytest --nbmake notebooks`) is part of the pipeline.
        Invalid(notebook("import pandas as pd\ndf = pd.read_csv('https://raw.githubusercontent.com/o/d/main/t.csv')\n"),
                path="notebooks/score.ipynb", message="branch `main`", files={".github/workflows/nb.yml": "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest --nbmake notebooks\n"}),
        Invalid("import pandas as pd\ndf = pd.read_csv('https://raw.githubusercontent.com/org/data/main/train.csv')\n",
                line=2, message="branch `main`"),
        Invalid("import requests\nurl = 'https://raw.githubusercontent.com/karpathy/char-rnn/master/data/input.txt'\n"
                "text = requests.get(url).text\n", line=2, message="branch `master`"),
        # A mapping of URLs the module reads, and a dataclass default read through the object.
        Invalid("import requests\nURLS = {'train': 'https://huggingface.co/datasets/o/d/resolve/main/train.json'}\n"
                "def fetch(split):\n    return requests.get(URLS[split]).json()\n", line=2, message="branch `main`"),
        Invalid("_URL = 'https://raw.githubusercontent.com/o/d/main/data.json'\n\n@dataclass\nclass Data:\n"
                "    url: str = _URL\n", line=1, message="branch `main`"),
        # The result of the read is unused, but the read happens.
        Invalid("import pandas as pd\ndf = pd.read_csv('https://raw.githubusercontent.com/org/data/main/train.csv')\n",
                line=2, message="branch `main`"),
    ]
    VALID = [
        "import mlflow\nmodel = mlflow.pyfunc.load_model('models:/churn/3')\n",
        # A lesson's notebook, and an example of a library shipped from `lib/`: demo code.
        Valid(notebook("import pandas as pd\ndf = pd.read_csv('https://raw.githubusercontent.com/o/d/main/t.csv')\n"),
              path="lesson.ipynb"),
        Valid("import pandas as pd\ndf = pd.read_csv('https://raw.githubusercontent.com/o/d/main/t.csv')\n",
              path="examples/demo/load.py", files={"setup.py": "from setuptools import setup\nsetup(name='lib', packages=['lib'])\n", "lib/__init__.py": ""}),
        "import mlflow\nmodel = mlflow.pyfunc.load_model(f'models:/{name}/{version}')\n",
        "import mlflow\nmodel = mlflow.pyfunc.load_model(f'runs:/{run_id}/model')\n",
        "import pandas as pd\ndf = pd.read_csv('https://raw.githubusercontent.com/org/data/3f2c1a9e/train.csv')\n",
        "def f():\n    '''Data: https://raw.githubusercontent.com/org/data/main/train.csv'''\n",
        "LICENSE = 'https://github.com/org/repo/blob/main/LICENSE'\n",
        # A table of URLs (copied from a library) that nothing in the module reads loads nothing.
        "CONFIG_ARCHIVE_MAP = {'org/m': 'https://huggingface.co/org/m/resolve/main/config.json'}\n\nclass Config:\n    pass\n",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._docstrings: set[int] = set()
        #: Assignments being visited: the names they bind (None when a target is not a plain
        #: name), and how many calls were open when they started.
        self._assignments: list[tuple[list[str] | None, int]] = []
        self._open_calls = 0
        #: Every name in the module and how often it is an assignment's target.
        self._mentions: Counter[str] = Counter()
        self._bound: Counter[str] = Counter()
        #: Findings that hold only if one of these names is read: (names, node, message, hint).
        self._if_read: list[tuple[list[str], cst.CSTNode, str, str]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        names = [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
        self._bind(names if len(names) == len(node.targets) else None)

    def leave_Assign(self, node: cst.Assign) -> None:
        self._assignments.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind([node.target.value] if isinstance(node.target, cst.Name) else None)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._assignments.pop()

    def _bind(self, names: list[str] | None) -> None:
        self._assignments.append((names, self._open_calls))
        self._bound.update(names or ())

    def visit_Call(self, node: cst.Call) -> None:
        self._open_calls += 1

    def leave_Call(self, node: cst.Call) -> None:
        self._open_calls -= 1

    def visit_Name(self, node: cst.Name) -> None:
        self._mentions[node.value] += 1

    def _report_used(self, node: cst.CSTNode, message: str, hint: str) -> None:
        """Report now, or at the end of the module if the string is only bound to names
        (directly or inside a literal, not given to a call) that something must then read."""
        if self._assignments:
            names, calls = self._assignments[-1]
            if names is not None and calls == self._open_calls:
                self._if_read.append((names, node, message, hint))
                return
        self.report(node, message, hint)

    def leave_Module(self, node: cst.Module) -> None:
        for names, string, message, hint in self._if_read:
            if any(self._mentions[name] > self._bound[name] for name in names):
                self.report(string, message, hint)

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            self._docstrings.add(id(node.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = evaluated(node)
        if isinstance(value, str) and id(node) not in self._docstrings:
            self._check(node, value, value)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if id(node) in self._docstrings:
            return
        text, expressions = "", []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text += part.value
            elif isinstance(part, cst.FormattedStringExpression):
                text += _PLACEHOLDER
                expressions.append(part.expression)
        if not _REGISTRY.match(text) and not _BRANCH_URL.match(text.strip()):
            return  # `_check` reports nothing: no code generated for the f-strings of a file
        names = [self.ctx.module.code_for_node(expression) for expression in expressions]
        quoted = _QUOTED.match(self.ctx.module.code_for_node(node))
        self._check(node, text, quoted.group(2) if quoted else text, names)

    def _check(self, node: cst.CSTNode, text: str, shown: str, names: list[str] | None = None) -> None:
        registry = _REGISTRY.match(text)
        if registry:
            moving = self._registry_moving(registry, names or [])
            if moving:
                self._report_used(
                    node,
                    f"`{shown}` loads whatever version holds the {moving} today",
                    "load a registry version number (`models:/name/3`), or log the version the stage resolved to",
                )
            return
        branch = _BRANCH_URL.match(text.strip())  # the string is the URL, not text that quotes one
        if branch:
            ref = next(v for v in branch.groupdict().values() if v)
            what = "the latest release" if ref == "latest" else f"branch `{ref}`"
            self._report_used(
                node,
                f"`{shown}` is read from {what}: its content can change under the same URL",
                "put a commit SHA or a release tag in the URL, and check a checksum of what it serves",
            )

    @staticmethod
    def _registry_moving(match: re.Match, names: list[str]) -> str | None:
        """`stage `Production``, `alias `champion``, or None for a version number."""
        stage, alias = match.group("stage"), match.group("alias")
        part, kind = (stage, "stage") if stage is not None else (alias, "alias")
        if part == _PLACEHOLDER:
            name = names[-1] if names else ""
            return f"{kind} `{{{name}}}`" if re.search(r"stage|alias", name, re.IGNORECASE) else None
        if _PLACEHOLDER in part:
            return None
        if kind == "alias" or part.lower() in _STAGES:
            return f"{kind} `{part}`"
        return None
