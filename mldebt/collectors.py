"""Fact collectors: internal visitors that run in the same batched traversal as the rules and
record what the cross-file phase needs from Python code."""

from __future__ import annotations

import libcst as cst

from mldebt.context import FileContext, call_argument, literal_value
from mldebt.facts import Facts, Site
from mldebt.manifests import requirement_strings
from mldebt.positions import spans

#: Calls that check for an accelerator before using it.
AVAILABILITY_CHECKS = frozenset(
    {
        "torch.cuda.is_available", "torch.cuda.device_count", "torch.backends.mps.is_available",
        "torch.accelerator.is_available", "tensorflow.config.list_physical_devices",
        "tensorflow.test.is_gpu_available", "jax.devices", "jax.default_backend",
    }
)
_DEVICE_KEYWORDS = ("device", "map_location")
_SETUP_CALLS = frozenset({"setuptools.setup", "distutils.core.setup"})


def _device_string(node: cst.BaseExpression | None) -> str | None:
    value = literal_value(node) if node is not None else None
    return value.lower() if isinstance(value, str) else None


class FactCollector(cst.BatchableCSTVisitor):
    """CUDA device uses and availability checks; `install_requires` of a static setup.py."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.cuda_nodes: list[cst.CSTNode] = []
        self.guarded = False
        self.runs_on_cpu = False
        self.setup_requirements: list[cst.SimpleString] = []

    def _device(self, node: cst.BaseExpression | None, site: cst.CSTNode) -> None:
        device = _device_string(node)
        if device is None:
            return
        if device.startswith("cuda"):
            self.cuda_nodes.append(site)
        elif device in ("cpu", "mps"):
            self.runs_on_cpu = True

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func)
        if name in AVAILABILITY_CHECKS:
            self.guarded = self.runs_on_cpu = True
        elif name == "torch.device":
            self._device(call_argument(node, "type", 0), node)
        elif name in _SETUP_CALLS:
            self._setup(node)
        func = node.func
        if isinstance(func, cst.Attribute) and name is None:
            if func.attr.value == "cuda" and not node.args:
                self.cuda_nodes.append(node)
            elif func.attr.value == "to" and node.args:
                self._device(call_argument(node, "device", 0), node)
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in _DEVICE_KEYWORDS:
                self._device(arg.value, node)

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
        facts.runs_on_cpu = self.runs_on_cpu
        for node in self.cuda_nodes:
            span = where[node]
            site = Site(span.line, span.column, span.end_line, span.end_column, module.code_for_node(node)[:80])
            facts.cuda_sites.append(site)
            if not self.guarded:
                facts.unguarded_cuda_sites.append(site)
        return facts
