from collections import defaultdict
from collections.abc import Iterator

from mldebt.rules.dependency_management import gpu_stack

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_CPU_ELSEWHERE = "import torch\ndevice = 'cuda' if torch.cuda.is_available() else 'cpu'\n"


def _serve(module: str = "train") -> dict[str, str]:
    """A `serve.py` of the same project as `module` (it imports it) that runs on CPU."""
    return {"serve.py": f"import {module}\n" + _CPU_ELSEWHERE}



class UnguardedCudaDevice(ProjectRule):
    """Puts work on a CUDA device with no availability check, in a repository that also runs on CPU.

    ## Why it matters
    Elsewhere in the same project (a module it imports or that imports it, its package) the
    code checks `torch.cuda.is_available()` (or
    another accelerator check, but not `assert torch.cuda.is_available()` nor a
    `print(torch.cuda.is_available())`, which demand or report a GPU), so the package is
    meant to run without a GPU (a laptop, CI, a CPU inference box). A bare `.cuda()`,
    `.to("cuda")` or `device="cuda:0"` in a module with no check crashes there, usually far
    from the code that chose the device.

    One finding per module, at its first unguarded use, naming how many there are: the fix
    (choose the device once) is one change, not one per call.

    A module that imports a library that runs only on an NVIDIA GPU (Megatron-Core, Apex,
    Transformer Engine, Triton kernels: `gpu_only_modules` in `rules/knowledge/gpu_stack.yaml`),
    or a module of the project that does (a subclass of a Megatron model), is GPU-only by
    design, even when other code of its package runs on CPU: it is not reported.

    A module that demands a GPU where it runs, outside any condition (`assert
    torch.cuda.is_available()`, `torch.cuda.set_device(rank)`, `torch.cuda.synchronize()`, CUDA
    streams and events, an NCCL process group: `gpu_demanding_calls` in the same file; a request
    for a GPU machine to run on: `@app.function(gpu="A10G")`, `@ray.remote(num_gpus=1)`,
    `{"nvidia.com/gpu": 1}`), or is named for TensorRT (`export_trt.py`), is GPU-only by design too; so is code that checks for
    another accelerator (`is_xpu_available()`): it chooses the device.

    ## Known limitations
    The check is per module: an availability check anywhere in the module counts for all of
    it. A use in the branch of an `if` whose condition speaks of CUDA or a GPU (`if
    inputs.is_cuda:`, `if x.device.type == "cuda":`, `if args.use_gpu:`), or compares with a GPU
    platform's name (`if SYSTEM == "rocm":`, a platform switch set from `torch.version.hip` or a
    device check), is guarded by it; a use
    with a comment beside it that names the CPU (`# device = torch.device("cpu")` under
    `device = torch.device("cuda:0")`) is a choice written down, not a forgotten guard. Devices passed in variables are not followed. Modules, functions and classes named for
    CUDA/GPU/ROCm (`class FastLinearROCm`: built where that platform was chosen), configuration (`configs/`, `dict(device="cuda")`), a conditional expression that
    chooses between CUDA and something else, and test code are not checked.

    ## References
    - PyTorch docs, "CUDA semantics": device-agnostic code
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    """

    id = "MLD606"
    name = "unguarded-cuda-device"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid("import torch\nmodel = Net()\nmodel.cuda()\n", path="train.py", line=3, files=_serve()),
        Invalid("import torch\nx = batch.to('cuda:0')\n", path="train.py", line=2, files=_serve()),
        Invalid("import torch\nd = torch.device('cuda')\n", path="train.py", files=_serve()),
        Invalid("import torch\nsd = torch.load(p, map_location='cuda', weights_only=True)\n", path="train.py",
                files=_serve()),
        Invalid("import torch\nmodel.cuda()\nx = x.cuda()\ny = y.to('cuda')\n", path="train.py", line=2,
                message="and 2 more uses in this module", files=_serve()),
        Invalid("import torch\nprint(torch.cuda.is_available())\nmodel.cuda()\n", path="train.py", line=3,
                files=_serve()),
        # A package `__init__` that gathers optional GPU backends says nothing about this module.
        Invalid("import torch\nfrom ops import fused\nmodel.cuda()\n", path="train.py", line=3,
                files={**_serve(), "ops/__init__.py": "try:\n    import triton\nexcept ImportError:\n    triton = None\n"}),
        # A GPU demanded only on one branch, or by a helper named for the GPU, leaves a CPU path.
        Invalid("import torch\nif args.profile:\n    torch.cuda.synchronize()\nmodel.cuda()\n", path="train.py", line=4,
                files=_serve()),
        Invalid("import torch\ndef sync_gpu():\n    torch.cuda.synchronize()\nmodel.cuda()\n", path="train.py", line=4,
                files=_serve()),
        Invalid("import torch\nimport torch.distributed as dist\ndist.init_process_group('gloo')\nmodel.cuda()\n",
                path="train.py", line=4, files=_serve()),
        # A GPU count of zero, or a flag switched off, requests no GPU.
        Invalid("import torch\nacc = Accelerator(multi_gpu=False, num_gpus=0)\nmodel.cuda()\n", path="train.py", line=3,
                files=_serve()),
        # A comment elsewhere in the module is no note on this use.
        Invalid("import torch\n# runs on cpu too\nx = 1\nmodel.cuda()\n", path="train.py", line=4, files=_serve()),
        # A condition that says nothing of the device guards nothing.
        Invalid("import torch\nif args.verbose:\n    model.cuda()\n", path="train.py", line=3, files=_serve()),
        # A switch on something other than the GPU platform, and a class not named for one, guard nothing.
        Invalid("import torch\nfrom lab.env import MODE\nif MODE == 'eval':\n    out = torch.empty(4, device='cuda')\n",
                path="train.py", line=4, files=_serve()),
        # A helper that demands a GPU only on one branch, or one the module never calls, leaves a CPU path.
        Invalid("import torch\nimport dist_utils\ndist_utils.init_distributed(args)\nmodel.cuda()\n", path="train.py",
                line=4, files={**_serve(), "dist_utils.py": "import torch\ndef init_distributed(args):\n"
                               "    if args.distributed:\n        torch.cuda.set_device(args.gpu)\n"}),
        Invalid("import torch\nimport dist_utils\nmodel.cuda()\n", path="train.py", line=3,
                files={**_serve(), "dist_utils.py": "import torch\ndef init_distributed(args):\n"
                       "    torch.cuda.set_device(args.gpu)\n"}),
        Invalid("import torch\nclass FastLinear(torch.nn.Module):\n    def __init__(self, w):\n        self.w = w.cuda()\n",
                path="layers.py", line=4, files=_serve("layers")),
    ]
    VALID = [
        Valid(_CPU_ELSEWHERE + "model = Net().to(device)\n", path="train.py"),
        # Two independent scripts side by side: the other one's check says nothing about this one.
        Valid("import torch\nmodel.cuda()\n", path="rpc/parameter_server.py", files={"rpc/main.py": _CPU_ELSEWHERE}),
        Valid("import torch\nif torch.cuda.is_available():\n    model.cuda()\n", path="train.py",
              files=_serve()),
        Valid("import torch\nmodel.cuda()\n", path="train.py"),  # a GPU-only repository
        Valid("import torch\nmodel.cuda()\n", path="megatron/train.py",
              files={"megatron/init.py": "import torch\nassert torch.cuda.is_available()\n",
                     "tools/convert.py": _CPU_ELSEWHERE}),
        Valid("import torch\nmodel.to('cpu')\n", path="train.py", files=_serve()),
        # A branch taken only where the data is on a GPU already, or where the user asked for one.
        Valid("import torch\nclass FocalLoss:\n    def forward(self, inputs):\n"
              "        if inputs.is_cuda and not self.alpha.is_cuda:\n            self.alpha = self.alpha.cuda()\n",
              path="loss.py", files=_serve("loss")),
        Valid("import torch\nif x.device.type == 'cuda':\n    y = y.to('cuda')\n", path="train.py", files=_serve()),
        Valid("import torch\nif args.use_gpu: model.cuda()\n", path="train.py", files=_serve()),
        # The GPU chosen on purpose, with the CPU choice written beside it for the reader.
        Valid("import torch\ndevice = torch.device('cuda:0')\n# device = torch.device('cpu')\nmodel = model.to(device)\n",
              path="ch14.py", files=_serve("ch14")),
        Valid("import torch\nmodel.cuda()  # model.cpu() on a laptop\n", path="train.py", files=_serve()),
        Valid("import torch\nif torch.cuda.device_count() > 1:\n    model = model.cuda()\n", path="train.py",
              files=_serve()),
        # A device chosen by the caller's flag: the module has a CPU path.
        Valid("import torch\nclass Clustering:\n    def __init__(self, cuda=False):\n"
              "        self.device = torch.device('cuda') if cuda else torch.device('cpu')\n",
              path="clustering.py", files=_serve("clustering")),
        # GPU-only by design: the module builds on Megatron-Core / Transformer Engine kernels.
        Valid("import torch\nfrom megatron.core import parallel_state\nbuf = torch.empty(8, device='cuda')\n",
              path="train.py", files=_serve()),
        Valid("import torch\nfrom models.gpt import MegatronGPT\nclass Adapter(MegatronGPT):\n"
              "    def step(self, tokens):\n        return tokens.cuda()\n", path="models/adapter.py",
              files={**_serve("models.adapter"), "models/gpt.py": "import apex\nclass MegatronGPT:\n    pass\n"}),
        # GPU-only by design: the module demands a GPU outside any condition.
        Valid("import torch\nassert torch.cuda.is_available()\nmodel.cuda()\n", path="train.py", files=_serve()),
        Valid("import os\nimport torch\nimport torch.distributed as dist\ndef encode(m):\n    return m.to('cuda')\n"
              "if __name__ == '__main__':\n    dist.init_process_group('nccl')\n"
              "    torch.cuda.set_device(int(os.environ['LOCAL_RANK']))\n", path="train.py", files=_serve()),
        Valid("import torch\ndef measure(vae, x):\n    vae = vae.to(device='cuda')\n    torch.cuda.synchronize()\n"
              "    return vae(x)\n", path="train.py", files=_serve()),
        # GPU-only by design: the module requests a GPU machine to run on (Modal, Ray, Kubernetes).
        Valid("import modal\nimport torch\napp = modal.App()\n@app.function(gpu='A10G')\ndef infer(x):\n"
              "    return model.cuda()(x)\n", path="serve_modal.py", files=_serve("serve_modal")),
        Valid("import ray\nimport torch\n@ray.remote(num_gpus=1)\nclass Worker:\n    def run(self, x):\n"
              "        return x.to('cuda')\n", path="worker.py", files=_serve("worker")),
        Valid("import torch\npod = {'resources': {'limits': {'nvidia.com/gpu': 1}}}\nmodel.cuda()\n", path="train.py",
              files=_serve()),
        # Named for TensorRT, which runs only on NVIDIA GPUs.
        Valid("import torch\nx = torch.randn(8).to('cuda')\n", path="export/cosmos_trt_run.py",
              files=_serve("export.cosmos_trt_run")),
        # Another accelerator's check chooses the device: CUDA is the other branch.
        Valid("import torch\nfrom peft.import_utils import is_xpu_available\ndef place(w):\n"
              "    if is_xpu_available():\n        return w.to('xpu')\n    return w.to('cuda')\n", path="train.py",
              files=_serve()),
        # A platform switch set from `torch.version.hip` / a device check: the branch runs only on that GPU.
        Valid("import torch\nfrom lab.import_utils import SYSTEM\nif SYSTEM == 'rocm':\n"
              "    out = torch.empty(4, device='cuda')\n", path="train.py", files=_serve()),
        # A class named for a GPU platform is built where that platform was chosen.
        Valid("import torch\nclass FastLinearROCm(torch.nn.Module):\n    def __init__(self, w):\n"
              "        self.cu_count = torch.cuda.get_device_properties(device='cuda').multi_processor_count\n",
              path="layers.py", files=_serve("layers")),
        # A helper of the repository the module calls demands a GPU: the run fails there without one.
        Valid("import torch\nimport dist_utils\ndef main(args):\n    dist_utils.init_distributed(args)\n"
              "    model.cuda()\n", path="train.py",
              files={**_serve(), "dist_utils.py": "import torch\ndef init_distributed(args):\n"
                     "    if 'RANK' in os.environ:\n        args.rank = int(os.environ['RANK'])\n"
                     "    torch.cuda.set_device(args.gpu)\n"}),
        Valid("import torch\nfrom lab.setup import setup_distributed\nsetup_distributed()\nx = batch.to('cuda:0')\n", path="train.py",
              files={**_serve(), "lab/setup.py": "import torch.distributed as dist\ndef setup_distributed():\n"
                     "    dist.init_process_group(backend='nccl')\n"}),
        Valid("import torch\nmodel.cuda()\n", path="tests/test_gpu.py", files=_serve("tests.test_gpu")),
        Valid("import torch\nmodel.cuda()\n", path="accelerators/cuda.py", files=_serve("accelerators.cuda")),
        Valid("import torch\ndef to_gpu(m):\n    return m.cuda()\n", path="utils.py", files=_serve("utils")),
        Valid("train = dict(max_iter=9000, device='cuda')\n", path="configs/train.py", files=_serve("configs.train")),
        Valid("import torch\nsd = torch.load(p, map_location='cuda')\n", path="train.py",
              files={"serve.py": "import torch\nimport train\nsd = torch.load(p, map_location='cpu')\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        by_module = defaultdict(list)
        for path, site in project.unguarded_cuda_sites():
            by_module[path].append(site)
        for path, sites in by_module.items():
            if not project.runs_on_cpu(near=path) or _gpu_only(project, path) or _calls_gpu_demanding(project, path):
                continue
            site = min(sites, key=lambda s: (s.line, s.column))
            more = f" (and {len(sites) - 1} more uses in this module)" if len(sites) > 1 else ""
            yield ProjectFinding(
                site.line,
                f"`{site.text}` needs a GPU, and this module never checks that one is available{more}",
                hint='pick the device once: `device = "cuda" if torch.cuda.is_available() else "cpu"`',
                column=site.column,
                end_line=site.end_line,
                end_column=site.end_column,
                path=path,
            )


def _gpu_only(project: Project, path: str) -> bool:
    """The module imports a library that runs only on an NVIDIA GPU, directly or through a
    module of the project it imports (a Megatron model subclass, a TensorRT helper); package
    `__init__` files, which gather optional backends, do not count."""
    gpu_only = frozenset(gpu_stack()["gpu_only_modules"])

    def imports_gpu_only(module_path: str) -> bool:
        return any(site.module.split(".")[0] in gpu_only for site in project.files[module_path][1].imports)

    if imports_gpu_only(path):
        return True
    imported = {project.module_file(path, site.module) for site in project.files[path][1].imports}
    return any(
        found and found != path and not found.endswith("__init__.py") and imports_gpu_only(found) for found in imported
    )


def _calls_gpu_demanding(project: Project, path: str) -> bool:
    """The module calls a function of another module of the repository that demands a GPU
    outside any condition of its body (`utils.init_distributed_mode(args)`, which ends in
    `torch.cuda.set_device(args.gpu)` or an NCCL process group): a run of this module fails
    without a GPU there, before any of its own device uses, so it is GPU-only by design."""
    for calls in project.files[path][1].function_calls:
        for name in calls.calls:
            module, dot, function = name.rpartition(".")
            if not dot or not module:
                continue
            found = project.module_file(path, module)
            if found and found != path and function in project.files[found][1].gpu_demanding_functions:
                return True
    return False
