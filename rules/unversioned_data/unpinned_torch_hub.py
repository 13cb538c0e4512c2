import libcst as cst

from mldebt.extract.context import call_argument, literal_value
from mldebt.project.demos import DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid, notebook


class UnpinnedTorchHub(PythonRule):
    """Loads a model with `torch.hub.load("owner/repo", ...)` without a `:tag` or commit.

    ## Why it matters
    Without a ref, torch.hub runs the code and downloads the weights of the repository's
    default branch as it is today: both can change between two runs of the same commit.
    `"owner/repo:v0.10.0"` or a commit pins them.

    ## Known limitations
    Repository names computed at run time are not reported; `source="local"` is not a hub.
    Not reported in a notebook that nothing runs (a tutorial loading the project's own hub
    entry point at its latest, as its readers will).

    ## References
    - PyTorch docs, `torch.hub.load` (repo_or_dir `owner/name[:ref]`)
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3
    """

    id = "MLD302"
    name = "unpinned-torch-hub"
    category = Category.UNVERSIONED_DATA
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    in_tests = False
    in_demos = {DEMO_NOTEBOOK: None}
    INVALID = [
        Invalid("import torch\nm = torch.hub.load('pytorch/vision', 'resnet50', weights='DEFAULT')\n", line=2,
                message="'pytorch/vision'"),
    ]
    VALID = [
        Valid(notebook("import torch\nm = torch.hub.load('org/detector', 'small')\n"), path="tutorial.ipynb"),
        "import torch\nm = torch.hub.load('pytorch/vision:v0.10.0', 'resnet50')\n",
        "import torch\nm = torch.hub.load('./hubconf_dir', 'model', source='local')\n",
        "import torch\nm = torch.hub.load(repo, 'model')\n",
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.qualname(node.func) != "torch.hub.load":
            return
        repo = literal_value(call_argument(node, "repo_or_dir", 0))
        source_node = call_argument(node, "source")
        source = "github" if source_node is None else literal_value(source_node)
        if not isinstance(repo, str) or ":" in repo or repo.count("/") != 1 or source != "github":
            return
        self.report(node, f"`torch.hub.load('{repo}')` runs and downloads the default branch as it is today",
                    f"pin a tag or commit: `'{repo}:<tag>'`")
