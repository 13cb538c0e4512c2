import libcst as cst

from mldebt.extract.context import evaluated
from mldebt.knowledge import load_table
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity


class MachineSpecificPath(PythonRule):
    """Hard-codes an absolute path that exists on one machine only (a home directory, a cluster mount).

    ## Why it matters
    `"/home/alice/data/train.csv"` makes the data dependency invisible and unreproducible:
    nobody else has that file, nobody knows which version of it trained the model, and the
    code fails on the next machine. Put the path in config and version the data (DVC, LFS,
    a dataset registry).

    ## Known limitations
    Docstrings are not checked; prefixes are in `rules/knowledge/data_sources.yaml`. A tool's
    hidden folder under the root user's home (its `.cache`) is not reported: it is the same in
    every container that runs as root; a data folder under that home is.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3 (unstable data dependencies)
    """

    id = "MLD303"
    name = "machine-specific-path"
    category = Category.UNVERSIONED_DATA
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    in_tests = False
    INVALID = [
        Invalid("import pandas as pd\ndf = pd.read_csv('/home/alice/data/train.csv')\n", line=2, message="/home/alice"),  # mldebt: ignore[MLD303]
        Invalid("CKPT = '/mnt/shared/ckpts/run7/model.pt'\n"),
        Invalid("ROOT = r'C:\\Users\\bob\\datasets'\n"),
        Invalid("CACHE = '/home/alice/.cache/huggingface/hub'\n"),
    ]
    VALID = [
        "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n",
        "def f():\n    '''Reads /home/<user>/data by default.'''\n",
        "CACHE = '~/.cache/mldebt'\n",
        "import os\nroot = os.path.expanduser(cfg.data_root)\n",
        "URL = 'https://example.org/home/data.csv'\n",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        table = load_table("data_sources")
        self._prefixes = tuple(f"/{root}/" for root in table["machine_path_roots"]) + tuple(table["windows_prefixes"])
        self._tool_folders = tuple(f"/{home}/." for home in table["shared_homes"])
        self._docstrings: set[cst.CSTNode] = set()

    def visit_Expr(self, node: cst.Expr) -> None:
        self._docstrings.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = evaluated(node)
        if node in self._docstrings or not isinstance(value, str) or " " in value or "\n" in value:
            return
        if value.startswith(self._prefixes) and not value.startswith(self._tool_folders) and len(value.strip("/\\").replace("\\", "/").split("/")) >= 2:
            self.report(node, f"`{value}` is a path on one machine only",
                        "read the path from config and version the data it points at")
