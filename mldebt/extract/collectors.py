"""Fact collectors: internal visitors that run in the same batched traversal as the rules and
record what the cross-file phase needs from Python code."""

from __future__ import annotations

import posixpath
import re
from functools import cache

import libcst as cst

from mldebt.discover import CONFIG_DIRS, FileKind
from mldebt.extract.context import UNKNOWN, Collector, FileContext, call_argument, dotted_name, evaluated, literal_value
from mldebt.extract.facts import (
    DOWNLOAD_API,
    CiCommand,
    CliOption,
    DataAccess,
    Definition,
    Facts,
    FlagDefinition,
    FlagGuard,
    PickledFile,
    Site,
    is_uri,
)
from mldebt.extract.namespace import namespace_use
from mldebt.extract.manifests import (
    notebook_downloads, notebook_installs, notebook_shell_commands, requirement_strings, unparsed_file_names,
)
from mldebt.extract.own_files import Named, is_parameter, own_files, pickles
from mldebt.extract.walk import nodes
from mldebt.knowledge import load_table

#: Calls that check for an accelerator before using it (not `device_count()`: distributed
#: setup counts GPUs with it, which says nothing about running without one).
AVAILABILITY_CHECKS = frozenset(
    {
        "torch.cuda.is_available", "torch.backends.mps.is_available",
        "torch.accelerator.is_available", "tensorflow.config.list_physical_devices",
        "tensorflow.test.is_gpu_available", "jax.devices", "jax.default_backend",
    }
)
#: Another accelerator's check by its usual helper name (`is_xpu_available()`,
#: `is_torch_npu_available()`): code that asks it chooses the device.
_OTHER_ACCELERATOR_CHECK = re.compile(r"^is_(torch_)?(xpu|npu|hpu|mlu|musa|mps|tpu)_available$")
_DEVICE_KEYWORDS = ("device", "map_location")
#: Calls whose arguments are only shown, never decided on: `print(torch.cuda.is_available())`
#: reports an accelerator, it does not guard against its absence.
_SHOWING_CALLS = frozenset({"print", "pprint.pprint", "logging.info", "logging.debug", "logging.warning"})
_SHOWING_METHODS = frozenset({"info", "debug", "warning", "warn", "log", "write", "print"})
_SETUP_CALLS = frozenset({"setuptools.setup", "distutils.core.setup"})
_CPU_WORD = re.compile(r"\bcpu\b", re.IGNORECASE)


def _gpu_specific(name: str) -> bool:
    """Named for CUDA, a GPU, ROCm or TensorRT (`cuda_utils.py`, `to_gpu`, `IS_ROCM_SYSTEM`,
    `cosmos_trt_run.py`), which run only on a GPU."""
    lower = name.lower()
    return (
        "cuda" in lower or "gpu" in lower or "rocm" in lower or "tensorrt" in lower
        or bool({"trt", "hip"} & set(re.split(r"[^a-z0-9]+", lower)))
    )


#: Literals that name a GPU platform in a condition (`SYSTEM == "rocm"`, `backend == "cuda:0"`).
_GPU_PLATFORM = re.compile(r"^(cuda|(rocm|hip|gpu)\b)", re.IGNORECASE)


_CONDITION_WORDS = ("Name", "SimpleString")
_STRINGS = frozenset({cst.SimpleString, cst.ConcatenatedString})


def _speaks_of_cuda(test: cst.BaseExpression) -> bool:
    """A condition that asks whether CUDA is in use or was chosen (`inputs.is_cuda`,
    `x.device.type == "cuda"`, `args.use_gpu`, `torch.cuda.device_count() > 1`, `args.gpu is not
    None`), or which GPU platform the code runs on (`SYSTEM == "rocm"`: a platform switch set from
    `torch.version.hip` / `torch.version.cuda` or a device check, wherever it is set): the branch
    it guards runs only where a GPU is there or was asked for."""
    for node in nodes(test, _CONDITION_WORDS):  # (libcst's `children` rebuilds each node it lists)
        if node.__class__ is cst.Name:
            if _gpu_specific(node.value):
                return True
        elif _GPU_PLATFORM.match(str(literal_value(node))):
            return True
    return False


def _requests_gpu(name: str, value: cst.BaseExpression) -> bool:
    """A resource request for the machine the code runs on (`gpu="A10G"`, `num_gpus=1`,
    `gpu_count=1`, `use_gpu=True`, `"nvidia.com/gpu": 1`): a name that is a GPU count or kind,
    with a literal that asks for one (not `0`, `False`, `""` or `None`)."""
    lower = name.lower()
    if "gpu" not in lower or not set(re.split(r"[^a-z]+", lower)) & {"gpu", "gpus"}:
        return False  # (most keyword arguments: the literal is not evaluated)
    requested = literal_value(value)
    return isinstance(requested, (bool, int, float, str)) and bool(requested)


def _main_guard(node: cst.If) -> bool:
    """`if __name__ == "__main__":`: the script's body, not a condition on the device."""
    test = node.test
    return (
        isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == "__name__"
    )


class FactCollector(Collector):
    """CUDA device uses and availability checks; `install_requires` of a static setup.py.

    Device uses in modules, functions or classes named for CUDA/GPU/ROCm (`accelerators/cuda.py`,
    `def to_gpu`, `class FastLinearROCm`), in configuration (`configs/`, a `dict(device="cuda")`) and in a conditional
    expression (`torch.device("cuda") if self.cuda else torch.device("cpu")`) are not
    recorded as unguarded: they are where the device is meant to be chosen; nor are those in the
    branch of an `if` whose condition speaks of CUDA or a GPU (`if inputs.is_cuda:`, `if
    args.use_gpu:`), which runs only where one is there or was asked for, nor a use with a
    comment beside it that names the CPU (`# device = torch.device("cpu")`). Nor are those of
    a module that demands a GPU outside any condition (`assert torch.cuda.is_available()`,
    `torch.cuda.set_device(rank)`, `torch.cuda.synchronize()`, an NCCL process group, a request
    for a GPU machine: `@app.function(gpu="A10G")`, `@ray.remote(num_gpus=1)`): it is
    GPU-only by design, and a guard on its `.cuda()` would protect nothing.
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
        self._skip_module = _gpu_specific(parts[-1]) or bool(CONFIG_DIRS & set(parts[:-1]))
        self._gpu_functions = 0
        #: Inside a class named for a GPU platform (`FastLinearROCm`, `CudaGraphRunner`): built
        #: where that platform is chosen, its device uses are not reported.
        self._gpu_classes = 0
        self._asserting = False
        self._showing: list[cst.Call] = []  # enclosing `print(...)`-like calls
        self._choosing = 0  # inside `cuda_thing if condition else other`: a device choice
        self._cuda_branches: set[int] = set()  # ids of the bodies of `if` tests that speak of CUDA
        self._on_cuda = 0  # inside such a body
        self._conditions = 0  # inside an `if` (not the `__main__` guard) or a `try`
        #: A call outside any condition that fails without a GPU (`torch.cuda.set_device`).
        self.demands_gpu = False
        #: The module-level functions that make such a call outside any condition of their own
        #: body (`def init_distributed_mode(args): ... torch.cuda.set_device(args.gpu)`).
        self.demanding_functions: set[str] = set()
        #: The enclosing definitions, each with the number of conditions around it.
        self._definitions: list[tuple[str, int]] = []
        self._demanding = frozenset(load_table("gpu_stack")["gpu_demanding_calls"])

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._gpu_functions += _gpu_specific(node.name.value)
        self._definitions.append((node.name.value, self._conditions))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._gpu_functions -= _gpu_specific(node.name.value)
        self._definitions.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._gpu_classes += _gpu_specific(node.name.value)
        self._definitions.append(("", self._conditions))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._gpu_classes -= _gpu_specific(original_node.name.value)
        self._definitions.pop()

    def _is_cuda(self, node: cst.BaseExpression | None) -> bool:
        device = literal_value(node) if node is not None else None
        return isinstance(device, str) and device.lower().startswith("cuda")

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._choosing += 1

    def leave_IfExp(self, original_node: cst.IfExp) -> None:
        self._choosing -= 1

    def visit_If(self, node: cst.If) -> None:
        self._conditions += not _main_guard(node)
        if _speaks_of_cuda(node.test):
            self._cuda_branches.add(id(node.body))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._on_cuda += id(node) in self._cuda_branches

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._on_cuda -= id(original_node) in self._cuda_branches

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._on_cuda += id(node) in self._cuda_branches

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._on_cuda -= id(original_node) in self._cuda_branches

    def leave_If(self, original_node: cst.If) -> None:
        self._conditions -= not _main_guard(original_node)

    def visit_Try(self, node: cst.Try) -> None:
        self._conditions += 1

    def leave_Try(self, original_node: cst.Try) -> None:
        self._conditions -= 1

    def visit_Assert(self, node: cst.Assert) -> None:
        self._asserting = True

    def leave_Assert(self, node: cst.Assert) -> None:
        self._asserting = False

    def _shows(self, node: cst.Call, name: str | None) -> bool:
        func = node.func
        return name in _SHOWING_CALLS or (
            name is None and isinstance(func, cst.Attribute) and func.attr.value in _SHOWING_METHODS
        )

    def leave_Call(self, original_node: cst.Call) -> None:
        if self._showing and self._showing[-1] is original_node:
            self._showing.pop()

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func)
        if self._shows(node, name):
            self._showing.append(node)
        # `assert is_available()` demands a GPU; `print(is_available())` only reports one.
        if self._asserting and name == "torch.cuda.is_available":
            self._demand()
        elif (name in AVAILABILITY_CHECKS or _OTHER_ACCELERATOR_CHECK.match((name or "").rsplit(".", 1)[-1])) and not (
            self._asserting or self._showing
        ):
            self.guarded = True
        elif name in self._demanding or (
            name == "torch.distributed.init_process_group" and literal_value(call_argument(node, "backend", 0)) == "nccl"
        ):
            self._demand()
        elif name in _SETUP_CALLS:
            self._setup(node)
        if any(arg.keyword is not None and _requests_gpu(arg.keyword.value, arg.value) for arg in node.args):
            self._demand()  # `@app.function(gpu="A10G")`, `@ray.remote(num_gpus=1)`: it runs on a GPU
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
            if not (self._skip_module or self._gpu_functions or self._gpu_classes or self._choosing or self._on_cuda):
                self.reportable.add(node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = literal_value(node.key)
        if isinstance(key, str) and _requests_gpu(key, node.value):
            self._demand()  # `resources={"nvidia.com/gpu": 1}`

    def _demand(self) -> None:
        """A GPU demanded where the module runs, not in a branch or a helper named for the GPU;
        and by the module-level function it is in, when outside any condition of its body."""
        if self._choosing or self._gpu_functions or self._showing:
            return
        if not self._conditions:
            self.demands_gpu = True
        if len(self._definitions) == 1 and self._definitions[0][0] and self._conditions == self._definitions[0][1]:
            self.demanding_functions.add(self._definitions[0][0])

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

    def located(self) -> list[cst.CSTNode]:
        """The nodes whose positions `fill` needs."""
        return self.cuda_nodes + self.setup_requirements

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        declared = requirement_strings(
            (evaluated(s), where[s].line) for s in self.setup_requirements if isinstance(evaluated(s), str)
        )
        facts.requirements += declared.requirements
        facts.cuda_versions += declared.cuda_versions
        if self.ctx.kind == FileKind.NOTEBOOK:
            facts.notebook_installs = notebook_installs(self.ctx.lines)
            if facts.notebook_installs:
                facts.removed_keywords = _removed_keywords(self.ctx.lines)
            facts.notebook_commands = [CiCommand(command, line) for line, command in notebook_shell_commands(self.ctx.lines)]
            facts.unparsed_names = unparsed_file_names(self.ctx.lines)
        facts.runs_on_cpu = self.guarded
        facts.gpu_demanding_functions = sorted(self.demanding_functions)
        for node in self.cuda_nodes:
            span = where[node]
            site = Site(span.line, span.column, span.end_line, span.end_column, module.code_for_node(node)[:80])
            facts.cuda_sites.append(site)
            if not (self.guarded or self.demands_gpu or self._cpu_noted(span.line)) and node in self.reportable:
                facts.unguarded_cuda_sites.append(site)

    def _cpu_noted(self, line: int) -> bool:
        """A comment on the use's line, or on a comment line just above or below it, names the
        CPU (`# device = torch.device("cpu")`, `# use .cpu() without a GPU`): the author chose the
        GPU and wrote the other choice down for the reader."""
        lines = self.ctx.lines
        for index in (line - 2, line - 1, line):
            if not 0 <= index < len(lines):
                continue
            text = lines[index]
            comment = text[text.index("#"):] if index == line - 1 and "#" in text else text.strip()
            if comment.startswith("#") and _CPU_WORD.search(comment):
                return True
        return False


_FLAG_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
#: Names that mark an experiment, a variant or a leftover (`train_v2`, `loss_old`, `try_x`);
#: only such module-level definitions are recorded as facts.
EXPERIMENT_NAME = re.compile(
    r"^(try|tmp|temp|exp|old|legacy|experimental|wip)_|_(experimental|exp|v\d+|old|new|tmp|temp|backup|bak|legacy|"
    r"deprecated|unused|wip|orig|copy)$",
    re.IGNORECASE,
)
_CONFIG_LIKE = re.compile(r"cfg|conf|config|param|hparam|args|opt", re.IGNORECASE)
_DYNAMIC_CONFIG_CALLS = frozenset(
    {"hydra.utils.instantiate", "hydra.utils.call", "omegaconf.OmegaConf.to_container", "omegaconf.OmegaConf.to_object"}
)
_IDENTIFIERS = re.compile(r"[A-Za-z_]\w*")
#: An f-string that computes one identifier from one value and a word of its own (`{loss}_kwargs`,
#: `check_{module}_adapter`); with two values (`test_{metric}_{idx}`) it could spell almost anything.
_NAME_PATTERN = re.compile(r"(?=.*[A-Za-z]{3})\w*\*\w*")
_CLI_DECORATORS = ("click.option", "click.argument", "typer.Option", "typer.Argument")
#: Methods of an argparse parser that return one more place to add arguments to.
_PARSER_METHODS = frozenset({"add_argument_group", "add_mutually_exclusive_group", "add_subparsers", "add_parser"})
#: A parameter named as a parser (`parser`, `subparser`, `train_parser`, `parent_parser`).
_PARSER_NAME = re.compile(r"^(\w+_)?(sub)?parsers?$")


def _bool_literal(node: cst.BaseExpression | None) -> bool | None:
    value = literal_value(node) if node is not None else None
    return value if isinstance(value, bool) else None


class NameCollector(Collector):
    """Names the code uses and defines, module-level flags and the branches they guard, and
    command-line options: the facts behind the dead-experimental-codepath rules."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.facts = Facts()
        self._depth = 0  # function/class nesting: 0 is module level
        #: Node sets hold `id(node)`: `visit_Name` tests them for every name of the file, and a
        #: CSTNode's own `__hash__` is a Python-level call (the nodes outlive the traversal).
        self._definition_names: set[int] = set()
        self._guard_nodes: list[tuple[str, str, bool, cst.CSTNode]] = []
        self._definition_nodes: list[tuple[cst.FunctionDef | cst.ClassDef, bool]] = []
        self._option_nodes: list[tuple[str, str, cst.CSTNode]] = []
        #: Names used inside each enclosing function, innermost last.
        self._function_names: list[set[str]] = []
        #: Parameter names of each enclosing function, innermost last.
        self._function_params: list[set[str]] = []
        self._flag_nodes: dict[str, cst.Name] = {}
        self._parameter_names: set[int] = set()
        #: Strings that declare or document a name (`add_argument("--amp")`, docstrings)
        #: rather than read it.
        self._declarations: set[int] = set()
        #: Names shown to hold an argparse parser (or a group or subparser of one): only their
        #: `add_argument` declares a command-line option (selenium's `ChromeOptions` has one too).
        self._parsers: set[str] = set()

    # --- names used ----------------------------------------------------------------------

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) in self._definition_names:
            return
        self.facts.names_used.add(node.value)
        if self._function_names and id(node) not in self._parameter_names:  # a parameter is not a use
            self._function_names[-1].add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.facts.names_used.add(node.attr.value)
        if node.attr.value == "__dict__":
            self.facts.reads_args_dynamically = True

    def visit_Expr(self, node: cst.Expr) -> None:
        if node.value.__class__ in _STRINGS:
            self._declarations.add(id(node.value))  # a docstring mentions names, it does not read them
            if isinstance(node.value, cst.ConcatenatedString):
                self._declarations.update((id(node.value.left), id(node.value.right)))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        pattern = "".join(p.value if isinstance(p, cst.FormattedStringText) else "*" for p in node.parts)
        if _NAME_PATTERN.fullmatch(pattern):
            self.facts.names_patterned.add(pattern)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self._declarations:
            return
        value = evaluated(node)
        if isinstance(value, str) and len(value) <= 100:
            self.facts.strings_used.update(_IDENTIFIERS.findall(value))

    # --- definitions -----------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._define(node)
        self._function_names.append(set())
        self._function_params.append({p.name.value for p in (*node.params.params, *node.params.kwonly_params)})
        self._parameter_names.update(id(p.name) for p in node.params.params)
        for param in (*node.params.params, *node.params.kwonly_params):
            annotation = dotted_name(param.annotation.annotation) if param.annotation else None
            if _PARSER_NAME.match(param.name.value) or (annotation and "ArgumentParser" in annotation):
                self._parsers.add(param.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        used = self._function_names.pop()
        self._function_params.pop()
        if self._function_names:
            self._function_names[-1] |= used  # what a nested function uses, its parent uses
        self._depth -= 1
        if self._is_cli_command(node) and not node.params.star_kwarg and "locals" not in used:
            for param in node.params.params:
                if param.name.value not in used and param.name.value not in ("ctx", "context", "self"):
                    self._option_nodes.append((param.name.value, "", param))

    def _is_cli_command(self, node: cst.FunctionDef) -> bool:
        """A click command (`@click.option`) or a typer command (`= typer.Option(...)` defaults)."""
        for decorator in node.decorators:
            target = decorator.decorator
            if self.ctx.qualname(target.func if isinstance(target, cst.Call) else target) in _CLI_DECORATORS:
                return True
        return any(
            isinstance(p.default, cst.Call) and self.ctx.qualname(p.default.func) in _CLI_DECORATORS
            for p in node.params.params
        )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._define(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth -= 1

    def _define(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        if self._depth == 0:
            self._definition_names.add(id(node.name))
            if EXPERIMENT_NAME.search(node.name.value):
                self._definition_nodes.append((node, bool(node.decorators)))
        self._depth += 1

    # --- flags -----------------------------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assigned(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._assigned(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._assigned(node.target, None)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        name = dotted_name(target)
        if name and value is not None and self._is_parser(value):
            self._parsers.add(name)
        if isinstance(target, cst.Attribute):
            self.facts.names_assigned.add(target.attr.value)
        elif isinstance(target, cst.Name) and self._depth == 0 and _FLAG_NAME.match(target.value):
            flag = _bool_literal(value)
            defined = {d.name for d in self.facts.flag_definitions}
            if flag is not None and target.value not in defined:
                self.facts.flag_definitions.append(FlagDefinition(target.value, flag, 0))
                self._flag_nodes[target.value] = target
            else:
                self.facts.names_assigned.add(target.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.facts.names_assigned.update(n.name.value for n in node.names)

    def visit_If(self, node: cst.If) -> None:
        test, runs_when = node.test, True
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test, runs_when = test.expression, False
        if isinstance(test, cst.Name) and _FLAG_NAME.match(test.value):
            qualified = self.ctx.imports.get(test.value, "")
            module = qualified.rpartition(".")[0] if qualified else ""
            name = test.value
        elif isinstance(test, cst.Attribute) and _FLAG_NAME.match(test.attr.value):
            module, name = self.ctx.qualname(test.value) or "", test.attr.value
            if not module:
                return
        else:
            return
        # Reported where a reader looks: the `if` line, or the `else:` line.
        self._guard_nodes.append((name, module, runs_when, node.test))
        if isinstance(node.orelse, cst.Else) and node.orelse.body.body:
            self._guard_nodes.append((name, module, not runs_when, node.orelse))

    # --- calls -----------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = self.ctx.qualname(func)
        if name == "exec" or (
            isinstance(func, cst.Attribute) and func.attr.value == "update" and isinstance(func.value, cst.Call)
            and self.ctx.qualname(func.value.func) in ("globals", "vars")
        ):
            self.facts.overrides_globals = True
        elif name == "setattr" and len(node.args) >= 2:
            attribute = literal_value(node.args[1].value)
            if isinstance(attribute, str):
                self.facts.names_assigned.add(attribute)
        elif name == "vars":
            self.facts.reads_args_dynamically = True
        elif isinstance(func, cst.Attribute) and func.attr.value == "add_argument":
            self._argparse_option(node)
        if name in _DYNAMIC_CONFIG_CALLS or any(
            arg.star == "**" and _CONFIG_LIKE.search(dotted_name(arg.value) or "") for arg in node.args
        ):
            self.facts.reads_config_dynamically = True
        if name in _DYNAMIC_CONFIG_CALLS and node.args:
            subtree = _config_subtree(node.args[0].value)
            if subtree:
                self.facts.config_subtrees_whole.add(subtree)
        for arg in node.args:
            # `Trainer(**cfg.trainer)`: the callee takes every key of the section, or the call fails.
            subtree = _config_subtree(arg.value, minimum=1) if arg.star == "**" else None
            if subtree:
                self.facts.config_subtrees_whole.add(subtree)
            elif arg.star == "**" and isinstance(arg.value, cst.Name) and self._function_params and (
                arg.value.value in self._function_params[-1]
            ):
                # `def deploy(endpoint_cfg): Service(**endpoint_cfg)`: a parameter bound by name to a
                # config key (a pipeline step's parameters, a config spread into the function) is
                # handed on whole, so every key below `endpoint_cfg:` is read.
                self.facts.config_subtrees_whole.add(arg.value.value)

    def visit_For(self, node: cst.For) -> None:
        self._iterated(node.iter)
        # `for subparser in (train_parser, eval_parser): subparser.add_argument(...)`
        if isinstance(node.target, cst.Name) and isinstance(node.iter, (cst.List, cst.Tuple)) and node.iter.elements and all(
            self._is_parser(e.value) for e in node.iter.elements
        ):
            self._parsers.add(node.target.value)

    def _is_parser(self, node: cst.BaseExpression) -> bool:
        """Whether the code shows `node` to be an argparse parser: a name bound to one, a call of
        `argparse.ArgumentParser` (or a subclass named so, `HfArgumentParser`), or a group or
        subparser made from one."""
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _PARSER_METHODS:
                return self._is_parser(func.value)
            name = self.ctx.qualname(func) or dotted_name(func) or ""
            return name.rpartition(".")[2].endswith("ArgumentParser")
        name = dotted_name(node)
        return name is not None and name in self._parsers

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._iterated(node.iter)

    def _iterated(self, node: cst.BaseExpression) -> None:
        """`for target in cfg.analyst.metadata` (or `.items()`, `.values()`, `.keys()` of it):
        the code reads every entry of the nested section, whatever their names. A top-level
        section iterated (`for k in cfg.model`) says nothing of the `model:` of other configs."""
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in (
            "items", "values", "keys"
        ) and not node.args:
            node = node.func.value
        subtree = _config_subtree(node)
        if subtree:
            self.facts.config_subtrees_whole.add(subtree)

    def _argparse_option(self, node: cst.Call) -> None:
        self._declarations.update(id(a.value) for a in node.args if a.keyword is None or a.keyword.value == "dest")
        if not self._is_parser(node.func.value):
            return  # another tool's `add_argument` (a browser's options) declares no option of ours
        flags = [literal_value(a.value) for a in node.args if a.keyword is None]
        flags = [f for f in flags if isinstance(f, str)]
        if not flags or not flags[0].startswith("-"):
            return  # positional arguments are always given, so always "read"
        action = literal_value(call_argument(node, "action"))
        if action in ("help", "version") or "--help" in flags:
            return
        dest = literal_value(call_argument(node, "dest"))
        if not isinstance(dest, str):
            long = [f for f in flags if f.startswith("--")]
            dest = (long or flags)[0].lstrip("-").replace("-", "_")
        self._option_nodes.append((dest, max(flags, key=len), node))

    def located(self) -> list[cst.CSTNode]:
        nodes = [n for *_, n in self._guard_nodes] + [n for n, _ in self._definition_nodes]
        return nodes + [n for *_, n in self._option_nodes] + list(self._flag_nodes.values())

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        """Copy what was collected into `facts`, with the positions `where` of its nodes."""
        collected = self.facts
        facts.names_used = collected.names_used
        facts.strings_used = collected.strings_used
        facts.names_patterned = collected.names_patterned
        facts.reads_config_dynamically = collected.reads_config_dynamically
        facts.config_subtrees_whole = collected.config_subtrees_whole
        facts.names_assigned = collected.names_assigned
        facts.overrides_globals = collected.overrides_globals
        facts.reads_args_dynamically = collected.reads_args_dynamically
        if self._option_nodes and not collected.reads_args_dynamically:
            use = namespace_use(self.ctx, module)
            facts.reads_args_dynamically = use.leaves
            facts.namespace_callees = sorted(use.callees)
        facts.flag_definitions = [
            FlagDefinition(d.name, d.value, where[self._flag_nodes[d.name]].line) for d in collected.flag_definitions
        ]
        facts.flag_guards = [
            FlagGuard(name, mod, runs, where[n].line, where[n].column) for name, mod, runs, n in self._guard_nodes
        ]
        facts.definitions = [
            Definition(n.name.value, where[n].line, where[n].column, decorated) for n, decorated in self._definition_nodes
        ]
        facts.cli_options = [CliOption(dest, flag, where[n].line, where[n].column) for dest, flag, n in self._option_nodes]


class _ModuleLevelVisitor(Collector):
    """Keeps `self._depth`, the function/class nesting: 0 while visiting module-level code."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth -= 1


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.*-]+(:[\w.-]+)?$")  # `org/model`, `org/llama-*-instruct`


def _config_keys(node: cst.BaseExpression) -> list[str] | None:
    """`["data", "train"]` for `cfg["data"]["train"]` or `cfg.data.train` (two keys at least,
    all literal), else None."""
    chain = _key_chain(node, gets=False)
    return chain[1] if chain and isinstance(chain[0], cst.Name) and len(chain[1]) >= 2 else None


def _config_subtree(node: cst.BaseExpression, minimum: int = 2) -> str | None:
    """`lm.config` for `cfg.lm.config`, `cfg["lm"]["config"]`, `cfg.get("lm").get("config")` or
    `self.cfg.lm.config`: the keys below a config object, two at least (a nested mapping such as
    a library's own config; a top-level section handed to a constructor is read by the names
    it uses, and matching one everywhere would excuse every file's `model:`), else None.
    `minimum=1` for a section spread into a call (`**cfg.trainer`), which takes all its keys."""
    chain = _key_chain(node, gets=True)
    if not chain or not isinstance(chain[0], cst.Name):
        return None
    root, keys = chain[0].value, chain[1]
    if not _CONFIG_LIKE.search(root) and keys and _CONFIG_LIKE.search(keys[0]):
        root, keys = keys[0], keys[1:]  # `self.cfg.model`: the config is an attribute
    return ".".join(keys) if len(keys) >= minimum and _CONFIG_LIKE.search(root) else None


def _key_chain(node: cst.BaseExpression, gets: bool) -> tuple[cst.BaseExpression, list[str]] | None:
    """The object under a chain of literal keys, and the keys outermost first: `cfg` and
    `["data", "train"]` for `cfg["data"]["train"]`, `cfg.data.train` (or, with `gets`,
    `cfg.get("data").get("train")`); None when a key is not a literal string."""
    keys: list[str] = []
    while True:
        if gets and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and node.args:
            key, node = literal_value(node.args[0].value), node.func.value
        elif isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key, node = literal_value(node.slice[0].slice.value), node.value
        elif isinstance(node, cst.Attribute):
            key, node = node.attr.value, node.value
        else:
            return node, list(reversed(keys))
        if not isinstance(key, str):
            return None
        keys.append(key)


#: Calls that unpack an archive; with the download calls of `data_sources.yaml`, what makes a
#: file fetch its own data.
_UNPACKERS = frozenset({"zipfile.ZipFile", "tarfile.open", "shutil.unpack_archive"})
#: A notebook's shell or magic line that fetches data: a download tool, or a download script of
#: the repository it runs (`%run ./data/download-dataset.py`, `!python download_data.py`).
_SHELL_FETCH = re.compile(
    r"#\|? ?\s*(?:!?\s*(wget|curl|unzip|tar|gdown|kaggle|gsutil cp|aws s3 cp|git clone)\b"
    r"|(?:%run|!\s*python3?)\s+(?:-m\s+)?[\w./-]*download)"
)


#: Packages whose clients read objects with `download_file(Bucket, Key, ...)`/`get_object`.
_BOTO = frozenset({"boto3", "botocore", "aioboto3", "aiobotocore"})

#: A call whose name says it downloads (`download_file`, `fetch_data`, `hf_hub_download`).
_DOWNLOAD_CALL = re.compile(r"(^|_)(download|fetch)(_|$)")
#: A keyword naming where a download is written: `output_file_path=`, `target_dir=`, `dst_path=`,
#: `download_path=`. A bare `output_name=` names a job's output (Azure ML), not a place.
_DESTINATION_KEYWORD = re.compile(
    r"^(download|output|out|target|local|dest|dst|destination|save)(_(dir|directory|folder|path))*(_file(_(name|path))?)?$"
)

#: A file name of a config format (`train.yaml`), as a string in code names one.
_CONFIG_FILE = re.compile(r"\.(ya?ml|json|toml)$")

#: Stands for the script's own folder (`os.path.dirname(__file__)`) until `fill` knows it.
_HERE = "{here}"
#: A relative file name with an extension (`automl.pkl`, `out/model.pt`), no URL or template.
_FILE_NAME = re.compile(r"^(?!/|~)[\w.-]+(/[\w.-]+)*\.[A-Za-z]\w{0,9}$")
#: Calls that name a path without writing it: printing it, building or checking it.
_NAMES_ONLY = frozenset({
    "print", "str", "os.fspath", "pathlib.Path", "pathlib.PurePath", "os.path.join", "os.path.exists",
    "os.path.isfile", "os.path.getsize", "os.path.abspath", "os.path.basename", "os.path.dirname",
})
_NAMES_ONLY_METHODS = frozenset({
    "format", "join", "endswith", "startswith", "replace", "split", "info", "debug", "warning", "error", "log",
    "exists", "is_file", "joinpath", "with_name", "with_suffix", "glob", "rglob", "match",
})


def _is_file(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "__file__"


#: A path whose file name is written out: `*/train.pkl`, `{config:out}/m.pt`, `cache/feats.pkl`.
_LITERAL_NAME = re.compile(r"(^|/)[^*/{}]*[^*/{}.][^*/{}]*$")


def _folder_name(path: cst.BaseExpression, function: cst.FunctionDef | None) -> str:
    """The name of the run-time value a path's folder comes from, when it is what the caller or
    the command line gives: `data_path` in `os.path.join(data_path, "train.pkl")`,
    `f"{data_path}/train.pkl"` or `data_path + "/x"` for a parameter `data_path` of the def
    the path sits in; `out` in `args.out / "m.pkl"`. '' for anything else: a local name may
    hold what a download returned (`data_path = artifact.download()`)."""
    head: cst.BaseExpression | None = None
    if isinstance(path, cst.Call) and path.args and dotted_name(path.func) in ("os.path.join", "path.join", "join"):
        head = path.args[0].value
    elif isinstance(path, cst.BinaryOperation) and isinstance(path.operator, (cst.Divide, cst.Add)):
        head = path.left
        while isinstance(head, cst.BinaryOperation) and isinstance(head.operator, (cst.Divide, cst.Add)):
            head = head.left
    elif isinstance(path, cst.FormattedString) and path.parts and isinstance(path.parts[0], cst.FormattedStringExpression):
        head = path.parts[0].expression
    if head is not None and is_parameter(head, function):
        return head.value
    if isinstance(head, cst.Attribute) and dotted_name(head) is not None:
        return head.attr.value
    return ""


def _join(parts: list[str | None]) -> str | None:
    if all(p is None for p in parts):
        return None
    return "/".join("*" if p is None else p.rstrip("/") for p in parts)


class DataAccessCollector(_ModuleLevelVisitor):
    """Reads and writes of data and model artifacts (`rules/knowledge/data_io.yaml`), with
    their paths resolved through literals, f-strings, `%` and `.format` templates,
    `os.path.join`, `pathlib` `/` and module-level string constants; what stays unknown becomes `*` (`outputs/*.csv`), and a
    path that is entirely unknown is not recorded."""

    def __init__(self, ctx: FileContext, table: dict) -> None:
        """`table` is the IO knowledge (`Settings.data_io_table()`)."""
        super().__init__()
        self.ctx = ctx
        self._calls, self._methods, self._open = table["calls"], table["methods"], set(table["open"])
        self._object_store, self._uri_open = set(table["object_store_methods"]), set(table["uri_open_methods"])
        self._fetch_methods = set(table["fetch_methods"])
        self._download_positions: dict[str, int] = table["download_destinations"]
        self._local_builders = set(load_table("data_sources")["local_builders"])  # load_dataset("csv", ...)
        self._fetchers = set(load_table("data_sources")["downloads"]["calls"]) | _UNPACKERS
        self._uploaders = set(load_table("data_sources")["uploads"])
        self.uploads: list[cst.Call] = []
        self.fetches = any(_SHELL_FETCH.search(line) for line in ctx.lines) if ctx.kind == "notebook" else False
        self.download_folders: list[str] = []  # where the module's download calls write, as resolved
        self._constants: dict[str, str] = {}
        self._assigned: set[str] = set()
        self.accesses: list[tuple[str, str, cst.CSTNode, str]] = []
        self.config_refs: list[str] = []
        #: per enclosing function, the paths its local names hold: parameters with a literal
        #: default and names assigned a path it resolves (`config_dir = Path(config_dir)`)
        self._locals: list[dict[str, str]] = []
        self._pickles = False  # a pickle-based load or write: `PickledFile` facts to make
        self.named: list[tuple[str, cst.Call]] = []  # file names handed to calls of unknown effect

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        params = (*node.params.params, *node.params.kwonly_params)
        defaults = {p.name.value: self.resolve(p.default, local=True) for p in params if p.default is not None}
        self._locals.append({name: path for name, path in defaults.items() if path is not None})

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().leave_FunctionDef(node)
        self._locals.pop()

    def leave_Assign(self, original_node: cst.Assign) -> None:
        """After the value is visited: a path it joins is read with the name's old value."""
        node = original_node
        if self._locals and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name, path = node.targets[0].target.value, self.resolve(node.value, local=True)
            if path is None:
                self._locals[-1].pop(name, None)
            else:
                self._locals[-1][name] = path

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._depth == 0 and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            if name in self._assigned:  # assigned twice (a fallback path): not a constant
                self._constants.pop(name, None)
                return
            self._assigned.add(name)
            resolved = self.resolve(node.value)
            if resolved is not None:
                self._constants[name] = resolved

    def resolve(self, node: cst.BaseExpression | None, local: bool = False) -> str | None:
        """The path an expression names, `*` standing for what is computed at run time;
        `local`: a name may also be one the enclosing function gave a path (`self._locals`)."""
        if node is None:
            return None
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = evaluated(node)
            return value if isinstance(value, str) else None
        if isinstance(node, cst.FormattedString):
            text = "".join(p.value if isinstance(p, cst.FormattedStringText) else "*" for p in node.parts)
            return re.sub(r"\*+", "*", text)
        if isinstance(node, cst.Name):
            if local and self._locals and node.value in self._locals[-1]:
                return self._locals[-1][node.value]
            if node.value in self._constants:
                return self._constants[node.value]
            imported = self.ctx.imports.get(node.value)
            return f"{{import:{imported}}}" if imported and "." in imported else None
        if isinstance(node, cst.Attribute):
            qualified = self.ctx.qualname(node)  # `config.DATA_DIR` of an imported module
            if qualified and self.ctx.imports.get(qualified.split(".", 1)[0]) is not None and "." in qualified:
                return f"{{import:{qualified}}}"
        keys = _config_keys(node)
        if keys:
            return f"{{config:{'.'.join(keys)}}}"  # cfg["data"]["train"], resolved against configs later
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return _join([self.resolve(node.left, local), self.resolve(node.right, local)])
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
            template = self.resolve(node.left, local)  # "data/%s.csv" % split
            return re.sub(r"%[-#0 +]*\d*(?:\.\d+)?[sdifr]", "*", template) if template else None
        if self._is_here(node):
            return _HERE
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "format":
                template = self.resolve(func.value, local)  # "data/{}.csv".format(split)
                return re.sub(r"\{[^{}]*\}", "*", template) if template else None
            name = self.ctx.qualname(node.func)
            if name == "os.path.join":
                return _join([self.resolve(a.value, local) for a in node.args])
            if name in ("pathlib.Path", "pathlib.PurePath", "str", "os.fspath") and len(node.args) == 1:
                return self.resolve(node.args[0].value, local)
        return None

    def _is_here(self, node: cst.BaseExpression) -> bool:
        """`os.path.dirname(__file__)` or `Path(__file__).parent`: the script's own folder."""
        if isinstance(node, cst.Attribute) and node.attr.value == "parent" and isinstance(node.value, cst.Call):
            call = node.value
            return self.ctx.qualname(call.func) == "pathlib.Path" and len(call.args) == 1 and _is_file(call.args[0].value)
        if isinstance(node, cst.Call) and self.ctx.qualname(node.func) == "os.path.dirname" and len(node.args) == 1:
            inner = node.args[0].value
            if isinstance(inner, cst.Call) and self.ctx.qualname(inner.func) in ("os.path.abspath", "os.path.realpath"):
                inner = inner.args[0].value if inner.args else inner
            return _is_file(inner)
        return False

    def _record(
        self, mode: str, path_node: cst.BaseExpression | None, node: cst.CSTNode, api: str, scheme: str | None = None,
        suffix: str | None = None,
    ) -> None:
        path = self.resolve(path_node)
        if not path or not re.search(r"[^*/.]", path) or path.endswith(".py"):  # reading code is not data
            return
        if suffix and not path.endswith(suffix):
            path += suffix  # `np.save("x", a)` writes `x.npy`
        if path in self._local_builders:
            return
        names_remote = not path.startswith(_HERE) and (
            _HUB_ID.match(path) if scheme == "hf://" else not path.startswith((".", "/", "~"))
        )
        if scheme and not is_uri(path) and names_remote:
            path = scheme + path  # `org/model`, `team/proj/data:v3`: a repository, not a local folder
        elif scheme and not is_uri(path) and "/" not in path and "." not in path:
            return  # a bare name (`bert-base-uncased`, `csv`): a hub alias or a builder, not a file
        self.accesses.append((mode, path, node, api))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = evaluated(node)
        if isinstance(value, str) and _CONFIG_FILE.search(value) and "\n" not in value:
            self.config_refs.append(value)  # `default="configs/train.yaml"`, `OmegaConf.load("conf/x.yaml")`

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Divide):
            self._joined_config(node)  # `config_dir / "deployment.yaml"`

    def _joined_config(self, node: cst.BaseExpression) -> None:
        """A config file named by joining a folder the code spells out (a literal, a constant,
        the script's folder, a parameter's default) to its name: the whole path is the
        reference; a folder computed at run time leaves only the bare name."""
        path = self.resolve(node, local=True)
        if path and _CONFIG_FILE.search(path) and "*" not in path and "{" not in path.replace(_HERE, ""):
            self.config_refs.append(path)

    def _hydra_config(self, node: cst.Call) -> None:
        """`@hydra.main(config_path="conf", config_name="train")` (or a wrapper taking the same
        keywords, `initialize(config_path=...)`): the config, or the folder, that the code composes.
        Hydra reads `config_path` from the folder of the file that names it."""
        given = {a.keyword.value: a.value for a in node.args if a.keyword and a.keyword.value in ("config_path", "config_name")}
        folder = self.resolve(given.get("config_path"))
        if folder is None or "{" in folder.replace(_HERE, "") or folder.startswith(("/", "pkg:", "file:")):
            return
        name = self.resolve(given.get("config_name"))
        folder = posixpath.join(_HERE, folder) if not folder.startswith(_HERE) else folder
        if name and "{" not in name:
            self.config_refs.append(posixpath.join(folder, name if _CONFIG_FILE.search(name) else name + ".yaml"))
        else:
            self.config_refs.append(posixpath.join(folder, "*"))

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func) or ""
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        if any(a.keyword and a.keyword.value == "config_path" for a in node.args):
            self._hydra_config(node)
        if name == "os.path.join":
            self._joined_config(node)
        if name in self._fetchers or method == "extractall" or method in self._fetch_methods:
            self.fetches = True
        if name in self._uploaders:
            self.uploads.append(node)
        self._pickles = self._pickles or pickles(name, method)
        if name in self._open:
            mode = literal_value(call_argument(node, "mode", 1))
            written = isinstance(mode, str) and any(c in mode for c in "wax")
            self._record("write" if written else "read", call_argument(node, "file", 0), node, name)
        elif name in self._calls:
            entry = self._calls[name]
            mode = entry["mode"]
            if "mode_argument" in entry:
                given = literal_value(call_argument(node, *entry["mode_argument"]))
                mode = "write" if isinstance(given, str) and "w" in given else mode
            self._record(mode, call_argument(node, *entry["path"]), node, name, entry.get("scheme"), entry.get("suffix"))
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in self._object_store and self._uses_boto():
            bucket = self.resolve(call_argument(node, "Bucket", 0)) or "*"
            key = self.resolve(call_argument(node, "Key", 1)) or "*"
            if bucket != "*" or key != "*":
                self.accesses.append(("read", f"s3://{bucket}/{key}", node, f".{node.func.attr.value}()"))
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in self._uri_open:
            target = self.resolve(call_argument(node, "path", 0))
            if target and is_uri(target):
                mode = literal_value(call_argument(node, "mode", 1))
                written = isinstance(mode, str) and any(c in mode for c in "wax")
                self.accesses.append(("write" if written else "read", target, node, ".open()"))
        elif _DOWNLOAD_CALL.search(method or (name or dotted_name(node.func) or "").rsplit(".", 1)[-1]):
            self._record_download(node, method)
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in self._methods:
            entry = self._methods[node.func.attr.value]
            target = node.func.value if entry["path"] is None else call_argument(node, *entry["path"])
            if isinstance(target, cst.BaseExpression):
                self._record(entry["mode"], target, node, f".{node.func.attr.value}()", entry.get("scheme"))
        if name not in _NAMES_ONLY and method not in _NAMES_ONLY_METHODS:
            strings = (evaluated(a.value) for a in node.args if isinstance(a.value, (cst.SimpleString, cst.ConcatenatedString)))
            self.named += [(value, node) for value in strings if isinstance(value, str) and _FILE_NAME.match(value)]

    def _record_download(self, node: cst.Call, method: str | None) -> None:
        """A download into a local path the call names (by a destination keyword, or at the
        position `download_destinations` knows for the method) writes that path, or the files
        under it when it is a folder; a URL given there is where it reads from, not a write."""
        destination = next((a.value for a in node.args if a.keyword and _DESTINATION_KEYWORD.match(a.keyword.value)), None)
        if destination is None and method in self._download_positions:
            destination = call_argument(node, None, self._download_positions[method])
        path = self.resolve(destination) if isinstance(destination, cst.BaseExpression) else None
        if path is None or is_uri(path):
            return
        if not path.startswith(("/", "~")) and "*" not in path.replace(_HERE, ""):
            self.download_folders.append(path)  # `download_path="."` too, which `_record` leaves out
        api = f".{method}()" if method else self.ctx.qualname(node.func) or dotted_name(node.func) or ""
        self._record("write", destination, node, api)
        self._record("write", destination, node, api, suffix="/*")

    def _pickled_paths(self) -> list[tuple[str, cst.Call, list[Named] | None]]:
        """The pickle-based loads and writes of the module and the expressions naming their files."""
        if not self._pickles:
            return []
        own = own_files(self.ctx)  # after the walk, as `own_files` requires
        return [(mode, call, paths) for mode in ("read", "write") for call, paths in own.file_paths(mode)]

    def _uses_boto(self) -> bool:
        """`download_file`/`get_object` are boto3's only in a module that imports it: other
        clients have methods of those names (AzureML's `run.download_file(name)` copies an output
        of one run, not an object of a bucket)."""
        return any(name.split(".", 1)[0] in _BOTO for name in self.ctx.imports.values())

    def located(self) -> list[cst.CSTNode]:
        pickled = self._pickled_paths()
        return [node for _, _, node, _ in self.accesses] + [node for _, node in self.named] + self.uploads + [
            call for _, call, _ in pickled
        ] + [
            path for mode, _, paths in pickled if mode == "write" for path, _ in paths or ()
        ]

    def _placed(self, path: str) -> tuple[str, bool]:
        """A resolved path as the graph reads it, and whether it has a second reading (`DataAccess.relative`)."""
        folder = posixpath.dirname(self.ctx.path)
        notebook = self.ctx.kind == "notebook"
        if _HERE in path:
            return posixpath.normpath(path.replace(_HERE, folder or ".")), False  # one reading: the script's folder
        if is_uri(path):
            return path, False
        if path.startswith("*"):
            return path, bool(folder) and not notebook
        if not path.startswith(("/", "~")):
            if notebook and folder:
                path = posixpath.join(folder, path)  # notebooks resolve from their folder
            return posixpath.normpath(path), bool(folder) and not notebook
        return posixpath.normpath(path), False

    def _pickled_file(self, mode: str, named: Named, line: int, column: int) -> PickledFile | None:
        """The record of one file a load reads or a writer writes, None when its name is not
        written out (`os.path.join(d, name)`: nothing to match it by)."""
        node, function = named
        path = self.resolve(node)
        if path is None or not _LITERAL_NAME.search(path):
            return None
        path, relative = self._placed(path)
        cell, cell_line = self.ctx.cell_line(line)
        access = DataAccess(mode, path, line, column, "pickle", relative)
        return PickledFile(access, _folder_name(node, function) if path.startswith("*") else "", cell_line, cell)

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        here = posixpath.dirname(self.ctx.path) or "."
        facts.string_constants = {
            k: v.replace(_HERE, here) for k, v in self._constants.items() if "{" not in v.replace(_HERE, "")
        }
        facts.fetches_data = self.fetches
        facts.uploads = [where[node].line for node in self.uploads]
        for path in self.download_folders:
            placed, relative = self._placed(path)
            local = posixpath.normpath(posixpath.join(posixpath.dirname(self.ctx.path), placed)) if relative else placed
            facts.download_folders.extend(dict.fromkeys("" if p == "." else p for p in (placed, local)))
        for mode, path, node, api in self.accesses:
            path, relative = self._placed(path)
            facts.data_access.append(DataAccess(mode, path, where[node].line, where[node].column, api, relative))
        accessed = {id(node) for _, _, node, _ in self.accesses}
        for value, node in self.named:
            if id(node) not in accessed:
                path, relative = self._placed(value)
                facts.named_files.append(DataAccess("named", path, where[node].line, where[node].column, "", relative))
        for mode, call, paths in self._pickled_paths():
            # A load is placed as its finding is; a write where its path is named (a helper's caller).
            spans = [where[call if mode == "read" else p] for p, _ in paths or ()]
            files = [self._pickled_file(mode, p, span.line, span.column) for p, span in zip(paths or (), spans)]
            if files and all(files):  # a load counts only when every path it may read is known
                facts.pickled_files += files
        notebook = self.ctx.kind == "notebook"
        folder = posixpath.dirname(self.ctx.path)
        if notebook:  # `!wget -O model.h5 URL`: the file a sibling script may then read
            facts.data_access += [
                DataAccess("write", posixpath.normpath(posixpath.join(folder, path)), line, 0, DOWNLOAD_API)
                for line, path in notebook_downloads(self.ctx.lines) if not path.startswith(("/", "~"))
            ]
        for ref in dict.fromkeys(self.config_refs):
            if _HERE in ref:
                readings = [ref.replace(_HERE, here)]
            elif notebook or ref.startswith(("/", "~")):
                readings = [posixpath.join(folder, ref)]
            else:  # a script's path: from the repository root, or from its own folder
                readings = [ref, posixpath.join(folder, ref)]
            facts.config_loads += [posixpath.normpath(r) for r in dict.fromkeys(readings)]


@cache
def _removed_keyword_pattern() -> re.Pattern[str] | None:
    """`name=` for each call keyword `removed_api` lists (entries ending in `=`)."""
    names = sorted({entry[:-1] for releases in load_table("gpu_stack")["removed_api"].values()
                    for entry_list in releases.values() for entry in entry_list if entry.endswith("=")})
    return re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\s*=(?!=)") if names else None


def _removed_keywords(lines: list[str]) -> list[str]:
    """The keywords of `removed_api` a notebook's code lines pass to a call (`evaluation_strategy=`),
    outside comments."""
    pattern = _removed_keyword_pattern()
    if pattern is None:
        return []
    return sorted({m.group(1) for line in lines for m in pattern.finditer(line.split("#", 1)[0])})
