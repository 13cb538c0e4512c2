from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from mldebt.extract.context import dotted_name
from mldebt.extract.hub import unpinned_hub_load
from mldebt.extract.reproducibility import is_main_guard
from mldebt.knowledge import load_table
from mldebt.project.demos import DEMO_EXAMPLE, DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid, notebook

if TYPE_CHECKING:
    from mldebt.project import Project
    from mldebt.report import Finding


#: Hub classes whose `from_pretrained` gives a model its shape or vocabulary, never weights.
_SHAPE_CLASS = re.compile(r"(Config|Tokenizer(Fast)?|Processor|FeatureExtractor)$")
#: Calls that load weights or data (any `*.load`: a `json.load` too, to err on reporting).
_WEIGHTS = frozenset({"load", "load_state_dict", "load_file", "hf_hub_download", "snapshot_download", "load_dataset"})
#: A module named for a test double (`mock.py`, `fake_data.py`, `dummy_inputs.py`).
_TEST_DOUBLE = re.compile(r"(^|/)(mock|fake|dummy)(_\w*)?\.py$", re.IGNORECASE)
#: Said of a repository every load of which lies in the module's `if __name__ == "__main__":` block.
_IN_MAIN = " in the module's `__main__` block"
_LIBRARY = "from transformers import AutoProcessor\n\nclass Encoder:\n    def __init__(self, processor):\n        self.processor = processor\n"
_MAIN_DEMO = "\n\nif __name__ == '__main__':\n    enc = Encoder(AutoProcessor.from_pretrained('org/processor'))\n"
#: Calls that train, beside the training methods of `rules/knowledge/reproducibility.yaml` and
#: any `*Trainer`: here any gradient or optimizer step counts, whatever it is for.
_TRAINS = frozenset({"backward", "step"})


def _given_config(call: cst.Call) -> bool:
    """Whether a class is instantiated on a config object (`LlamaForCausalLM(config)`,
    `Model(config=cfg)`): a model built with fresh random weights."""
    first = call.args[0] if call.args else None
    return first is not None and (
        (first.keyword is None and isinstance(first.value, cst.Name) and "config" in first.value.value.lower())
        or any(arg.keyword is not None and arg.keyword.value == "config" for arg in call.args)
    )


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
    local files and are not reported. Demo code (a notebook nothing runs, a library's examples
    and tutorials that nothing runs) fetches the model or dataset of the day on purpose and is
    not reported: on the panel, 70 % of these notes were judged noise. A load with
    `trust_remote_code=True` runs the repository's code, so it is MLD406's, reported in demo
    code too. A module that fetches one repository several times (its config, tokenizer and
    weights) is reported once, at the first load, naming how many others there are: it is one
    unpinned dependency. A module that builds a model with random weights from a reference
    config or tokenizer, trains nothing, loads no weights and publishes the result
    (`push_to_hub`: a maintainer's script making a tiny test model) is not reported: the
    reference only gives the fixture its shape, and what it publishes is versioned on the hub.
    A load only in the `if __name__ == "__main__":` block of a module other code of the
    project imports (a library module: a client, an encoder, a data module) is that module's
    usage example or smoke test, run by hand, and is not reported; the same block in a script
    nothing imports is its entry point, and is. Nor is a load in a module named for a test
    double (`mock.py`, `fake_data.py`, `dummy_inputs.py`): it feeds smoke tests made-up data,
    to which the processor it loads only gives a shape.

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
    in_demos = {DEMO_NOTEBOOK: None, DEMO_EXAMPLE: None}
    INVALID = [
        Invalid("from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased')\n", line=2,
                message="`bert-base-uncased`"),
        # An application's examples are not demo code.
        Invalid("from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m')\n", path="examples/run.py",
                message="`org/m`"),
        Invalid("import datasets\nds = datasets.load_dataset('org/reviews', split='train')\n", message="`org/reviews`"),
        Invalid("from diffusers import DiffusionPipeline\np = DiffusionPipeline.from_pretrained('org/sd', revision='main')\n",
                message="`main`"),
        Invalid("from huggingface_hub import hf_hub_download\nf = hf_hub_download('org/m', 'model.safetensors')\n"),
        Invalid("from transformers import AutoModel\nMODEL_ID = 'org/encoder'\n\ndef load():\n"
                "    return AutoModel.from_pretrained(MODEL_ID)\n", line=5, message="`org/encoder`"),
        # One repository fetched three times: one finding, the other loads counted.
        Invalid("from transformers import AutoConfig, AutoModel, AutoTokenizer\nMODEL_ID = 'org/m'\n"
                "cfg = AutoConfig.from_pretrained(MODEL_ID)\ntok = AutoTokenizer.from_pretrained(MODEL_ID)\n"
                "m = AutoModel.from_pretrained(MODEL_ID)\n", line=3, message="and 2 more loads of it in this module"),
        # Published, but trained from scratch on the unpinned tokenizer: the results move with it.
        Invalid("from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel, Trainer\n"
                "tokenizer = AutoTokenizer.from_pretrained('gpt2')\nmodel = GPT2LMHeadModel(GPT2Config(n_layer=2))\n"
                "trainer = Trainer(model=model, train_dataset=ds)\ntrainer.train()\nmodel.push_to_hub('org/gpt2-scratch')\n",
                line=2, message="`gpt2`"),
        # Published, but the weights come from the hub: the published model moves with them.
        Invalid("from transformers import AutoModelForCausalLM, AutoTokenizer\nMODEL_ID = 'org/base'\n"
                "tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)\nmodel = AutoModelForCausalLM.from_pretrained(MODEL_ID)\n"
                "model.push_to_hub('org/base-copy')\n", line=3, message="`org/base`"),
        # A data module whose name only contains a test double's word.
        Invalid("from transformers import AutoProcessor\nP = AutoProcessor.from_pretrained('org/clip')\n",
                path="pkg/data/mockingbird.py", line=2),
        # The `__main__` block of a script nothing imports is its entry point.
        Invalid(_LIBRARY + _MAIN_DEMO, path="pkg/encode.py", line=9, message="`__main__` block"),
        # A library module's load outside its `__main__` block.
        Invalid("from transformers import AutoProcessor\nPROCESSOR = AutoProcessor.from_pretrained('org/processor')\n"
                "\nif __name__ == '__main__':\n    print(PROCESSOR)\n", path="pkg/encode.py", line=2,
                files={"pkg/__init__.py": "", "pkg/train.py": "from pkg.encode import PROCESSOR\n"}),
    ]
    VALID = [
        # A lesson's notebook that nothing runs.
        Valid(notebook("from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m')\n"), path="lesson.ipynb"),
        # A library's example that nothing runs.
        Valid("from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m')\n", path="examples/run.py",
              files={"setup.py": "", "lib/__init__.py": ""}),
        # Runs the repository's code: MLD406.
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True)\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', revision='" + "a" * 40 + "')\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained(args.model, revision=args.rev)\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', revision=REV)\n",
        # A tiny random test model built on a reference config and tokenizer, then published.
        "from transformers import AutoConfig, AutoTokenizer, LlamaForCausalLM\nMODEL_ID = 'meta-llama/Llama-3.2-1B'\n"
        "tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)\n"
        "config = AutoConfig.from_pretrained(MODEL_ID, hidden_size=8, num_hidden_layers=2)\n"
        "model = LlamaForCausalLM(config)\nmodel.push_to_hub('org/tiny-llama')\ntokenizer.push_to_hub('org/tiny-llama')\n",
        # A mock data module for smoke tests.
        Valid("from transformers import AutoProcessor\nclass MockDataModule:\n    def __init__(self, processor=None):\n"
              "        self.processor = processor or AutoProcessor.from_pretrained('org/clip')\n", path="pkg/data/mock.py"),
        # The usage example in the `__main__` block of a module the project imports.
        Valid(_LIBRARY + _MAIN_DEMO, path="pkg/encode.py",
              files={"pkg/__init__.py": "", "pkg/train.py": "from pkg.encode import Encoder\n"}),
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('./checkpoints/best')\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained(model_dir)\n",
        "import datasets\nds = datasets.load_dataset('csv', data_files='data/train.csv')\n",
        "model.from_pretrained('org/m')\n",
        "from transformers import AutoModel\nMODEL_ID = 'org/a'\nif fast:\n    MODEL_ID = 'org/b'\nm = AutoModel.from_pretrained(MODEL_ID)\n",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._loads: dict[str, list[tuple[cst.Call, str]]] = {}
        self._training_methods = frozenset(load_table("reproducibility")["training"]["methods"]) | _TRAINS
        #: What tells a tiny test-model builder: it publishes, builds a model from a config,
        #: and neither loads weights nor trains.
        self._publishes = self._builds = self._weights_or_training = False
        #: Nested `if __name__ == "__main__":` blocks being visited, and the repositories
        #: loaded outside any.
        self._in_main = 0
        self._loaded_outside_main: set[str] = set()

    def visit_If(self, node: cst.If) -> None:
        if is_main_guard(node.test):
            self._in_main += 1

    def leave_If(self, node: cst.If) -> None:
        if is_main_guard(node.test):
            self._in_main -= 1

    def visit_Call(self, node: cst.Call) -> None:
        self._note_fixture_evidence(node)
        load = unpinned_hub_load(self.ctx, node)
        if load is None or load.remote_code:
            return  # a load that runs the repository's code is MLD406's
        self._loads.setdefault(load.repo, []).append((node, load.why))
        if not self._in_main:
            self._loaded_outside_main.add(load.repo)

    @classmethod
    def holds_in(cls, project: Project, finding: Finding) -> bool:
        """A load only in the `__main__` block of a module other code imports is its demo."""
        return _IN_MAIN not in finding.message or not project.imported(finding.path)

    def _note_fixture_evidence(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func) or dotted_name(node.func) or ""
        *receiver, last = name.split(".") if name else [""]
        if last == "push_to_hub":
            self._publishes = True
        elif last in self._training_methods or last in _WEIGHTS or last.endswith("Trainer"):
            self._weights_or_training = True
        elif last in ("from_pretrained", "from_single_file"):
            if not (receiver and _SHAPE_CLASS.search(receiver[-1])):
                self._weights_or_training = True
        elif last == "from_config" or (last[:1].isupper() and not _SHAPE_CLASS.search(last) and _given_config(node)):
            self._builds = True

    def leave_Module(self, node: cst.Module) -> None:
        if _TEST_DOUBLE.search(self.ctx.path):
            return  # a test double's made-up data: the processor only shapes it
        if self._publishes and self._builds and not self._weights_or_training:
            return  # a tiny random model on a reference's shape, published: nothing moves under it
        for repo, loads in self._loads.items():
            first, why = loads[0]
            others = len(loads) - 1
            more = f" (and {others} more load{'s' if others > 1 else ''} of it in this module)" if others else ""
            where = "" if repo in self._loaded_outside_main else _IN_MAIN
            self.report(
                first,
                f"`{repo}` is fetched from the Hugging Face Hub {why}{where}{more}",
                "pin the commit: `revision=\"<40-hex sha>\"` (the hub page's history shows it)",
            )
