import re

import libcst as cst

from mldebt.extract.context import MAYBE_PASSED, UNKNOWN, call_argument, literal_value
from mldebt.knowledge import load_table
from mldebt.project.demos import DEMO_EXAMPLE, DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid, notebook

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")


def _local(name: str) -> bool:
    return name.startswith((".", "/", "~")) or "\\" in name or bool(re.search(r"\.(json|bin|pt|safetensors|ckpt|csv|txt|parquet)$", name))


def _expression(argument: object) -> cst.BaseExpression | None:
    return argument if isinstance(argument, cst.BaseExpression) else None


class UnpinnedHubRevision(PythonRule):
    """Loads a model or dataset from the Hugging Face Hub without pinning a commit.

    ## Why it matters
    A hub repository is mutable: `from_pretrained("org/model")` and `load_dataset("org/data")`
    fetch whatever `main` points at today, so retraining or evaluating next month silently
    uses other weights or other data. Only `revision="<40-hex commit sha>"` pins it; a branch
    or tag name (`"main"`, `"v1"`) can move.

    ## Known limitations
    Repository names computed at run time get the benefit of the doubt (a module constant
    assigned one string is read: `MODEL_ID = "org/model"`), and local paths are not hub ids. `load_dataset`'s file builders (`csv`, `json`, ...) read
    local files and are not reported. A notebook nothing runs (a lesson, a scratchpad) fetches
    the model of the day on purpose and is not reported; in a library's examples and
    tutorials the finding is info (an example that calibrates or evaluates on a hub dataset
    still gets a note).

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 3 (unstable data dependencies)
    - Hugging Face Hub docs, "Revisions"; bandit B615 (huggingface_unsafe_download)
    """

    id = "MLD301"
    name = "unpinned-hub-revision"
    category = Category.UNVERSIONED_DATA
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    in_tests = False
    in_demos = {DEMO_NOTEBOOK: None, DEMO_EXAMPLE: Severity.INFO}
    INVALID = [
        Invalid("from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased')\n", line=2,
                message="`bert-base-uncased`"),
        # A library's example, as info.
        Invalid("from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m')\n", path="examples/run.py",
                message="`org/m`", files={"setup.py": "", "lib/__init__.py": ""}),
        Invalid("import datasets\nds = datasets.load_dataset('org/reviews', split='train')\n", message="`org/reviews`"),
        Invalid("from diffusers import DiffusionPipeline\np = DiffusionPipeline.from_pretrained('org/sd', revision='main')\n",
                message="`main`"),
        Invalid("from huggingface_hub import hf_hub_download\nf = hf_hub_download('org/m', 'model.safetensors')\n"),
        Invalid("from transformers import AutoModel\nMODEL_ID = 'org/encoder'\n\ndef load():\n"
                "    return AutoModel.from_pretrained(MODEL_ID)\n", line=5, message="`org/encoder`"),
    ]
    VALID = [
        # A lesson's notebook that nothing runs.
        Valid(notebook("from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m')\n"), path="lesson.ipynb"),
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', revision='" + "a" * 40 + "')\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained(args.model, revision=args.rev)\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', revision=REV)\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('./checkpoints/best')\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained(model_dir)\n",
        "import datasets\nds = datasets.load_dataset('csv', data_files='data/train.csv')\n",
        "model.from_pretrained('org/m')\n",
        "from transformers import AutoModel\nMODEL_ID = 'org/a'\nif fast:\n    MODEL_ID = 'org/b'\nm = AutoModel.from_pretrained(MODEL_ID)\n",
    ]

    def visit_Call(self, node: cst.Call) -> None:
        table = load_table("data_sources")["hub_loaders"]
        name = self.ctx.qualname(node.func) or ""
        spec = table["calls"].get(name)
        if spec is not None:
            repo = self.ctx.constant_string(_expression(call_argument(node, spec["keyword"], spec["position"])))
        elif name.endswith(".from_pretrained") and name.split(".", 1)[0] in table["from_pretrained_packages"]:
            repo = self.ctx.constant_string(_expression(call_argument(node, "pretrained_model_name_or_path", 0)))
        else:
            return
        if not isinstance(repo, str) or not _HUB_ID.match(repo) or _local(repo):
            return
        if name == "datasets.load_dataset" and repo in load_table("data_sources")["local_builders"]:
            return
        revision = call_argument(node, "revision")
        if revision is MAYBE_PASSED:
            return
        value = literal_value(revision) if revision is not None else None
        if value is UNKNOWN or (isinstance(value, str) and _COMMIT.match(value)):
            return
        why = "without `revision=`" if revision is None else f"at `{value}`, which can move"
        self.report(
            node,
            f"`{repo}` is fetched from the Hugging Face Hub {why}",
            "pin the commit: `revision=\"<40-hex sha>\"` (the hub page's history shows it)",
        )
