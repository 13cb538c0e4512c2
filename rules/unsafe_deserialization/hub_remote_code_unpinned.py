import libcst as cst

from mldebt.extract.hub import unpinned_hub_load
from mldebt.project.demos import DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid, notebook


class HubRemoteCodeUnpinned(PythonRule):
    """Lets a Hugging Face Hub repository's own code run (`trust_remote_code=True`) without pinning a commit.

    ## Why it matters
    With `trust_remote_code=True`, `from_pretrained` and `load_dataset` download the Python
    modules the repository declares (a custom model class, a dataset loading script) and run
    them. Without `revision="<40-hex commit sha>"` that is the code on the default branch
    today: whoever can push to the repository, or take over its account, runs code on every
    machine that loads it next, and the model's behaviour can change with nobody noticing.
    Pinning a reviewed commit makes the code that runs the code someone read.

    ## Known limitations
    Only a literal `trust_remote_code=True` is read; repository names and revisions computed at
    run time get the benefit of the doubt, as in MLD301. Reported in demo code too: a reader
    runs the example as it is. In a notebook that nothing runs, it is a note. A repository
    loaded again the same way in one module or notebook (the same dataset reloaded in a later
    cell) is one fact, reported at its first load.

    ## References
    - Hugging Face Transformers docs, "Customizing models" / `trust_remote_code`
    - Hugging Face Hub docs, "Revisions"; bandit B615 (huggingface_unsafe_download); CWE-494
    """

    id = "MLD406"
    name = "hub-remote-code-unpinned"
    category = Category.UNSAFE_DESERIALIZATION
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    in_tests = False
    in_demos = {DEMO_NOTEBOOK: Severity.INFO}
    INVALID = [
        Invalid("from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True)\n",
                line=2, message="`org/m`"),
        Invalid("import datasets\nds = datasets.load_dataset('org/data', trust_remote_code=True, revision='main')\n",
                message="at `main`"),
        # A library's example that nothing runs: its reader runs the remote code all the same.
        Invalid("from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True)\n",
                path="examples/run.py", files={"setup.py": "", "lib/__init__.py": ""}),
        # A lesson's notebook: a note.
        Invalid(notebook("from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True)\n"),
                path="lesson.ipynb"),
    ]
    VALID = [
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True, revision='"
        + "a" * 40 + "')\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m')\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=args.trust)\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained(args.model, trust_remote_code=True)\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('./checkpoints/best', trust_remote_code=True)\n",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._reported: set[tuple[str, str]] = set()  # (repository, why unpinned) already reported here

    def visit_Call(self, node: cst.Call) -> None:
        load = unpinned_hub_load(self.ctx, node)
        if load is not None and load.remote_code and (load.repo, load.why) not in self._reported:
            self._reported.add((load.repo, load.why))
            self.report(
                node,
                f"`{load.repo}` is loaded with `trust_remote_code=True` {load.why}: whatever code its default branch holds runs",
                "pin the commit whose code you reviewed: `revision=\"<40-hex sha>\"`",
            )
