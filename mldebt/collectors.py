"""Fact collectors: internal visitors that run in the same batched traversal as the rules and
record what the cross-file phase needs from Python code."""

from __future__ import annotations

import libcst as cst

from mldebt.context import FileContext, call_argument, literal_value
from mldebt.facts import Facts, Site
from mldebt.manifests import requirement_strings
from mldebt.positions import spans

#: Calls that check for an accelerator before using it (not `device_count()`: distributed
#: setup counts GPUs with it, which says nothing about running without one).
AVAILABILITY_CHECKS = frozenset(
    {
        "torch.cuda.is_available", "torch.backends.mps.is_available",
        "torch.accelerator.is_available", "tensorflow.config.list_physical_devices",
        "tensorflow.test.is_gpu_available", "jax.devices", "jax.default_backend",
    }
)
_DEVICE_KEYWORDS = ("device", "map_location")
_CONFIG_DIRS = frozenset({"config", "configs", "conf"})
_SETUP_CALLS = frozenset({"setuptools.setup", "distutils.core.setup"})


def _gpu_specific(name: str) -> bool:
    lower = name.lower()
    return "cuda" in lower or "gpu" in lower


class FactCollector(cst.BatchableCSTVisitor):
    """CUDA device uses and availability checks; `install_requires` of a static setup.py.

    Device uses in modules or functions named for CUDA/GPU (`accelerators/cuda.py`,
    `def to_gpu`) and in configuration (`configs/`, a `dict(device="cuda")`) are not
    recorded: they are where the device is meant to be chosen.
    """

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.cuda_nodes: list[cst.CSTNode] = []
        #: The subset of `cuda_nodes` an unguarded-device finding may be reported on.
        self.reportable: set[cst.CSTNode] = set()
        self.guarded = False
        self.setup_requirements: list[cst.SimpleString] = []
        parts = ctx.path.split("/")
        self._skip_module = _gpu_specific(parts[-1]) or bool(_CONFIG_DIRS & set(parts[:-1]))
        self._gpu_functions = 0
        self._asserting = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._gpu_functions += _gpu_specific(node.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._gpu_functions -= _gpu_specific(node.name.value)

    def _is_cuda(self, node: cst.BaseExpression | None) -> bool:
        device = literal_value(node) if node is not None else None
        return isinstance(device, str) and device.lower().startswith("cuda")

    def visit_Assert(self, node: cst.Assert) -> None:
        self._asserting = True

    def leave_Assert(self, node: cst.Assert) -> None:
        self._asserting = False

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func)
        if name in AVAILABILITY_CHECKS and not self._asserting:  # `assert is_available()` demands a GPU
            self.guarded = True
        elif name in _SETUP_CALLS:
            self._setup(node)
        if name == "dict":
            return
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) and name is None else None
        uses_cuda = (
            (name == "torch.device" and self._is_cuda(call_argument(node, "type", 0)))
            or (method == "cuda" and not node.args)
            or (method == "to" and self._is_cuda(call_argument(node, "device", 0)))
            or any(
                arg.keyword is not None and arg.keyword.value in _DEVICE_KEYWORDS and self._is_cuda(arg.value)
                for arg in node.args
            )
        )
        if uses_cuda:
            self.cuda_nodes.append(node)
            if not (self._skip_module or self._gpu_functions):
                self.reportable.add(node)

    def _setup(self, node: cst.Call) -> None:
        for keyword in ("install_requires", "extras_require"):
            value = call_argument(node, keyword)
            if isinstance(value, cst.Dict):
                lists = [e.value for e in value.elements if isinstance(e, cst.DictElement)]
            else:
                lists = [value]
            for item in lists:
                if isinstance(item, (cst.List, cst.Tuple)):
                    self.setup_requirements += [
                        e.value for e in item.elements if isinstance(e.value, cst.SimpleString)
                    ]

    def facts(self, module: cst.Module) -> Facts:
        located = self.cuda_nodes + self.setup_requirements
        where = spans(module, located) if located else {}
        facts = requirement_strings(
            (s.evaluated_value, where[s].line) for s in self.setup_requirements if isinstance(s.evaluated_value, str)
        )
        facts.runs_on_cpu = self.guarded
        for node in self.cuda_nodes:
            span = where[node]
            site = Site(span.line, span.column, span.end_line, span.end_column, module.code_for_node(node)[:80])
            facts.cuda_sites.append(site)
            if not self.guarded and node in self.reportable:
                facts.unguarded_cuda_sites.append(site)
        return facts
