from dataclasses import dataclass

import libcst as cst

from mldebt.knowledge import report_guarded_call
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity


class TorchLoadUnrestricted(PythonRule):
    """Loads a PyTorch checkpoint without restricting unpickling to weights.

    ## Why it matters
    `torch.load` is pickle: a checkpoint downloaded from a hub or shared through a bucket can
    run code. `weights_only=True` limits it to tensors and primitive types. Since torch 2.6
    that is the default, so a missing argument is a warning (the code is only unsafe on older
    torch), while an explicit `weights_only=False` is an error.

    ## Known limitations
    The torch version the repository runs is not consulted; a missing `weights_only` is
    reported even when the repository pins torch >= 2.6. Set the option `flag-missing =
    false` for such a repository: only an explicit `weights_only=False` is then reported.

    ## References
    - PyTorch docs, `torch.load` and "Serialization semantics" (weights_only)
    - CVE-2025-32434 (torch.load RCE), CWE-502
    """

    id = "MLD402"
    name = "torch-load-unrestricted"
    category = Category.UNSAFE_DESERIALIZATION
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    in_tests = False

    @dataclass(frozen=True)
    class Options:
        #: Report `torch.load` calls that leave `weights_only` out (unsafe on torch < 2.6).
        flag_missing: bool = True

    INVALID = [
        Invalid("import torch\nstate = torch.load('ckpt.pt', weights_only=False)\n", line=2, message="weights_only=False"),
        Invalid("import torch as T\nstate = T.load(path, map_location='cpu')\n", message="without `weights_only=True`"),
        Invalid("from torch import load\nsd = load('model.pth')\n", line=2),
        Invalid("import torch\nsd = torch.hub.load_state_dict_from_url(url)\n"),
    ]
    VALID = [
        "import torch\nstate = torch.load('ckpt.pt', weights_only=True)\n",
        "import torch\nstate = torch.load(path, map_location='cpu', weights_only=True)\n",
        "import torch\nstate = torch.load(path, **load_kwargs)\n",
        "import torch\nstate = torch.load(path, weights_only=args.safe)\n",
        "import torch\ntorch.save(model.state_dict(), 'ckpt.pt')\n",
        "from safetensors.torch import load_file\nsd = load_file('model.safetensors')\n",
    ]

    def visit_Call(self, node: cst.Call) -> None:
        report_guarded_call(self, node, "deserialization", report_missing=self.options.flag_missing)
