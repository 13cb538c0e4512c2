"""Where hyperparameters are hard-coded in Python: the facts behind the configuration-debt rules.

A literal is a hard-coded hyperparameter when it reaches a place that takes one:
- an argument of an ML API the table (`rules/knowledge/hyperparameters.yaml`) lists, directly
  (`AdamW(p, lr=3e-4)`), inside a tuple that mixes it with names (`betas=(beta1, 0.999)`), or
  through a variable assigned that literal once (`lr = 3e-3 ... AdamW(p, lr=lr)`);
- a keyword argument named like a hyperparameter in any other call, the repo's own helpers
  included (`build_optimizer(model, lr=0.01)`): `known=False`, reported with less confidence;
- any argument of an ML library call through a module-level constant (`WIDTH = 512 ...
  nn.Linear(d, WIDTH)`), or a comparison with a model output (`proba > CUTOFF`);
- a dict of several hyperparameters, or an optimizer param group (`{"params": head, "lr": 1e-3}`);
- an UPPER_CASE module constant named like a hyperparameter, and a literal epoch-loop bound.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import libcst as cst

from mldebt.discover import CONFIG_DIRS
from mldebt.extract.bindings import NameBindings
from mldebt.extract.config_classes import config_class_name
from mldebt.extract.context import UNKNOWN, Collector, FileContext, call_argument, dotted_name, evaluated, literal_value
from mldebt.extract.facts import Facts, HyperparameterSite
from mldebt.knowledge import alias_map

_CONFIG_MODULE = re.compile(r"(^|_)(config|configs|settings|hparams|hyperparameters|defaults|params)\.py$")
_EPOCH_VARIABLES = frozenset({"epoch", "epochs", "ep", "epoch_idx", "i_epoch", "epoch_id", "n_epoch"})
_OPERATORS = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.Power: operator.pow,
}
#: A string literal naming a config file (`'configs/sli_rec.yaml'`).
_CONFIG_FILE = re.compile(r"\.(ya?ml|json|toml)['\"]$", re.IGNORECASE)
#: Longer literals are not numbers a person tunes (and may be past Python's digit limit).
_KNOB_CHARS = 64
#: A run of this many `name = literal` statements is a settings block with one hyperparameter in it.
_SETTINGS_BLOCK = 4
#: The `source` of a name compared with a model's output (`proba > CUTOFF`).
DECISION_THRESHOLD = "a decision threshold"
#: Names of a model's outputs, for decision thresholds (`proba > CUTOFF`).
_OUTPUT_NAME = re.compile(r"prob|pred|score|logit|confidence|output", re.IGNORECASE)


def numeric_value(node: cst.BaseExpression) -> object:
    """A literal's value, also through arithmetic of literals (`3e-4 * 2`, `1 / 255`)."""
    if isinstance(node, cst.BinaryOperation) and type(node.operator) in _OPERATORS:
        left, right = numeric_value(node.left), numeric_value(node.right)
        if isinstance(left, (int, float)) and isinstance(right, (int, float)) and not isinstance(left, bool):
            try:
                return _OPERATORS[type(node.operator)](left, right)
            except (ArithmeticError, ValueError):
                return UNKNOWN
        return UNKNOWN
    return literal_value(node)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _knob(value: object, ignored: list) -> bool:
    """A value worth reporting: a number (or tuple of numbers) that is not a default switch."""
    if isinstance(value, tuple):
        return bool(value) and all(_number(v) for v in value)
    return _number(value) and value not in ignored


_LITERALS = frozenset({cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString})


def _literal_assignment(statement: cst.BaseStatement | None) -> tuple[str, cst.BaseExpression] | None:
    """(name, value) of a statement `name = literal` (a number, string, switch or list of them)."""
    if statement.__class__ is not cst.SimpleStatementLine or len(statement.body) != 1:
        return None  # (exact classes, as in `_written_literal`)
    assign = statement.body[0]
    if assign.__class__ is cst.Assign and len(assign.targets) == 1:
        target, value = assign.targets[0].target, assign.value
    elif assign.__class__ is cst.AnnAssign and assign.value is not None:
        target, value = assign.target, assign.value
    else:
        return None
    if target.__class__ is cst.Name and _written_literal(value):
        return target.value, value
    return None


def _written_literal(node: cst.BaseExpression) -> bool:
    """A number, string, switch, or arithmetic or list of them, told by its syntax alone (a
    literal past Python's 4,300-digit limit cannot be evaluated). Exact classes, not
    `isinstance`: libcst's nodes are ABCs, whose failed `isinstance` is a Python-level call, and
    this runs for every statement of every block."""
    node_type = node.__class__
    if node_type in _LITERALS:
        return True
    if node_type is cst.Name:
        return node.value in ("True", "False", "None")
    if node_type is cst.UnaryOperation:
        return _written_literal(node.expression)
    if node_type is cst.BinaryOperation:
        return _written_literal(node.left) and _written_literal(node.right)
    if node_type is cst.Tuple or node_type is cst.List:
        return all(e.__class__ is cst.Element and _written_literal(e.value) for e in node.elements)
    return False


def value_repr(value: object) -> str:
    """Numbers compare across int/float spellings (`64` and `64.0`), tuples element-wise
    (`None` for an element that is not a literal: `betas=(beta1, 0.999)`)."""
    if isinstance(value, tuple):
        return repr(tuple(float(v) if _number(v) else None for v in value))
    return repr(float(value))


def _mixed_tuple(node: cst.BaseExpression, ignored: list) -> tuple | None:
    """`(beta1, 0.999)`: a tuple of names and literals, at least one a tuning knob."""
    if not isinstance(node, cst.Tuple) or not node.elements:
        return None
    values = []
    for element in node.elements:
        if not isinstance(element, cst.Element):
            return None
        value = numeric_value(element.value)
        if _number(value):
            values.append(value)
        elif isinstance(element.value, (cst.Name, cst.Attribute)):
            values.append(None)
        else:
            return None
    literals = [v for v in values if v is not None]
    if literals and len(literals) < len(values) and any(v not in ignored for v in literals):
        return tuple(values)
    return None


@dataclass
class _Scope:
    """The names a module, class or function body binds: each name's assigned values (None
    when a binding is not a plain assignment: a parameter, a loop target, an import, ...)."""

    is_module: bool
    parent: _Scope | None = None
    is_class: bool = False
    bindings: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    params: frozenset[str] = frozenset()
    #: Its own code disables gradients or switches a model to evaluation; and computes
    #: gradients, steps or switches back to training (`evaluation` in the table).
    evaluates: bool = False
    trains: bool = False
    #: Its own code passes a hyperparameter read from configuration (`lr=self.hparams.lr`,
    #: `cfg["epochs"]`, a parameter of the function), or for a class, one of its methods does:
    #: `HyperparameterSite.beside_configuration`.
    reads: bool = False

    def read_configuration(self) -> None:
        self.reads = True
        if self.parent is not None and self.parent.is_class:
            self.parent.reads = True

    def beside_configuration(self) -> bool:
        """A function that reads configuration, or a method of a class one of whose methods does."""
        return not self.is_module and (self.reads or (self.parent is not None and self.parent.is_class and self.parent.reads))

    def bind(self, name: str, value: cst.BaseExpression | None) -> None:
        self.bindings.setdefault(name, []).append(value)

    def owner(self, name: str) -> _Scope | None:
        """The scope a bare `name` read here resolves in (class bodies do not enclose methods)."""
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.bindings and (scope is self or not scope.is_class):
                return scope
            scope = scope.parent
        return None

    def module(self) -> _Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


@dataclass(frozen=True)
class _Use:
    """A name passed where a hyperparameter goes, resolved once every binding is known."""

    scope: _Scope
    name: str
    keyword: str  # the parameter or the constant's own name
    source: str
    known: bool
    module_only: bool  # only a module-level constant counts (any argument of an ML library call)
    config_call: bool = False  # passed to a call that builds a config object
    config_override: bool = False  # passed to a call that is also given a config file


class HyperparameterCollector(NameBindings, Collector):
    """Collects `HyperparameterSite` facts (see the module docstring for what counts)."""

    def __init__(self, ctx: FileContext, table: dict) -> None:
        """`table` is the hyperparameter knowledge (`Settings.hyperparameter_table()`)."""
        super().__init__()
        self.ctx = ctx
        self._aliases = alias_map(table)
        calls = {call: group["arguments"] for group in table["calls"].values() for call in group["calls"]}
        self._calls = {c: a for c, a in calls.items() if not c.endswith("*")}
        self._call_prefixes = [(c[:-1], a) for c, a in calls.items() if c.endswith("*")]
        self._methods = table["methods"]
        self._config_builders = frozenset(table.get("config_builders", ()))
        self._pipelines = frozenset(table.get("pipelines", ()))
        #: The group of the outermost pipeline of transforms being visited (`A.Compose([...])`), 0 outside one.
        self._pipeline = 0
        self._pipeline_node: int | None = None
        #: The module builds configuration objects (Fiddle, NeMo-Run): it is configuration.
        self._builds_config = False
        self._ignored = table["ignore_values"]
        self._constant_names = set(self._aliases) - set(table["not_constants"])
        self._keyword_names = self._constant_names - set(table.get("not_keywords", []))
        self._ml_libraries = tuple(table.get("ml_libraries", []))
        self._not_flowing = re.compile(table.get("not_flowing", "(?!)"), re.IGNORECASE)
        self._not_training_methods = frozenset(table.get("not_training_methods", ()))
        evaluation = table.get("evaluation", {})
        self._evaluation_contexts = frozenset(evaluation.get("contexts", ()))
        self._evaluation_methods = frozenset(evaluation.get("methods", ()))
        self._training_methods = frozenset(evaluation.get("training_methods", ()))
        #: The values of `name = literal` statements in settings blocks (`_settings_blocks`).
        self._settings_values: set[int] = set()
        #: The call being visited builds a config object (`GRPOConfig(...)`, `TrainingArguments(...)`):
        #: a class named like one (`config_class_name`).
        self._config_call = False
        #: The attributes the arguments of that config call read (`HyperparameterSite.config_call_reads`).
        self._config_reads: tuple[str, ...] = ()
        #: Dicts of hyperparameters by node id -> their group; those a call updates (`defaults.update(flags)`).
        self._dict_nodes: dict[int, int] = {}
        self._updated_dicts: set[int] = set()
        #: The call being visited is also given a config file (`prepare_hparams(yaml_file, batch_size=400)`).
        self._config_override = False
        self._data_feeds = tuple(table.get("data_feeds", ()))
        self._feeds_data = False
        self._reads_hyperparameters = False
        #: id of a site's value node -> the scope whose code holds it.
        self._site_scopes: dict[int, _Scope] = {}
        self._scope = _Scope(is_module=True)
        self._uses: list[_Use] = []
        self._dicts = 0  # dicts of hyperparameters seen, numbering their sites' group
        #: `optim or Adam(lr=1e-4)` on a parameter being visited: the caller's value comes first,
        #: so the literal is a default, like a parameter's.
        self._fallbacks: list[cst.BooleanOperation] = []
        #: Sites with their value's node; positions are filled in once known.
        self.sites: list[tuple[cst.BaseExpression, HyperparameterSite]] = []
        self._resolved = False

    def canonical(self, written: str) -> str:
        return self._aliases.get(written.lower(), written.lower())

    # -- scopes -------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scope.bind(node.name.value, None)
        self._scope = _Scope(is_module=False, parent=self._scope)
        self._scope.evaluates = any(
            self.ctx.qualname(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
            in self._evaluation_contexts
            for d in node.decorators
        )
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._scope.bind(param.name.value, None)
        self._scope.params = frozenset(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._scope.bind(star.name.value, None)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._leave_scope()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scope.bind(node.name.value, None)
        self._scope = _Scope(is_module=False, parent=self._scope, is_class=True)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._leave_scope()

    def _leave_scope(self) -> None:
        assert self._scope.parent is not None
        self._scope = self._scope.parent

    def bind_name(self, name: str, value: cst.BaseExpression | None) -> None:
        self._scope.bind(name, value)

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        target = node.targets[0].target
        if (
            self._scope.is_module and len(node.targets) == 1 and isinstance(target, cst.Name)
            and target.value.isupper() and target.value.lower() in self._constant_names
        ):
            self._site(target.value, node.value, "constant")

    def visit_WithItem(self, node: cst.WithItem) -> None:
        super().visit_WithItem(node)
        if isinstance(node.item, cst.Call) and self.ctx.qualname(node.item.func) in self._evaluation_contexts:
            self._scope.evaluates = True

    def visit_Module(self, node: cst.Module) -> None:
        self._settings_blocks(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._settings_blocks(node.body)

    def _settings_blocks(self, body: Sequence[cst.BaseStatement]) -> None:
        """Runs of consecutive `name = literal` statements that name two hyperparameters or
        more (`lr = 1e-3`, `num_epochs = 5`, `batch_size = 8` beside `model_name = "t5"`), or
        one among `_SETTINGS_BLOCK` settings or more: a script's or a notebook cell's
        settings, its configuration in one place."""
        run: list[tuple[str, cst.BaseExpression]] = []
        for statement in (*body, None):
            assigned = _literal_assignment(statement)
            if assigned is not None:
                run.append(assigned)
                continue
            named = [v for n, v in run if n.lower() in self._constant_names and self._setting_written(v)]
            if len(named) >= 2 or (named and len(run) >= _SETTINGS_BLOCK):
                self._settings_values.update(id(value) for _, value in run)
            run = []

    def _names_config_file(self, node: cst.BaseExpression) -> bool:
        """`"sli_rec.yaml"`, or a name assigned one such string: an argument that is a config file."""
        if node.__class__ is cst.Name and (owner := self._scope.owner(node.value)) is not None:
            values = owner.bindings[node.value]
            node = values[0] if len(values) == 1 and values[0] is not None else node
        return node.__class__ is cst.SimpleString and _CONFIG_FILE.search(node.value) is not None

    def _setting_written(self, node: cst.BaseExpression) -> bool:
        """A hyperparameter's value in a settings block: a knob, or a number it is usually left at
        (`accumulate_grad_batches = 1` beside `batch_size = 8` is set, in one place, not omitted)."""
        return self._knob_written(node) or _number(numeric_value(node))

    def _knob_written(self, node: cst.BaseExpression) -> bool:
        """A tuning knob's literal (`_knob`); not one too long to evaluate."""
        return len(self.ctx.module.code_for_node(node)) <= _KNOB_CHARS and _knob(numeric_value(node), self._ignored)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._scope.module().bind(item.name.value, None)  # assigned from a function: not one value
            self._scope.bind(item.name.value, None)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = alias.asname.name if alias.asname else alias.name
            if isinstance(name, cst.Name):
                self._scope.bind(name.value, None)
            else:
                head = dotted_name(name)
                if head:
                    self._scope.bind(head.split(".")[0], None)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = alias.asname.name if alias.asname else alias.name
            if isinstance(name, cst.Name):
                self._scope.bind(name.value, None)

    def visit_For(self, node: cst.For) -> None:
        super().visit_For(node)
        target, loop = node.target, node.iter
        if (
            isinstance(target, cst.Name) and target.value.lower() in _EPOCH_VARIABLES
            and isinstance(loop, cst.Call) and self.ctx.qualname(loop.func) == "range" and len(loop.args) == 1
        ):
            self._site("epochs", loop.args[0].value, "loop")

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        if isinstance(node.operator, cst.Or) and isinstance(node.left, cst.Name) and node.left.value in self._scope.params:
            self._fallbacks.append(node)

    def leave_BooleanOperation(self, original_node: cst.BooleanOperation) -> None:
        if self._fallbacks and self._fallbacks[-1] is original_node:
            self._fallbacks.pop()

    # -- where hyperparameters go -------------------------------------------------------------

    def _site(self, written: str, value_node: cst.BaseExpression, source: str, *, known: bool = True,
              grouped: int = 0) -> None:
        if self._fallbacks:
            return

        def found(value: object, code: str = "") -> None:
            self._found(value_node, self.canonical(written), written, value, source, known=known, code=code,
                        grouped=grouped or self._pipeline, in_config_call=self._config_call, overrides_config=self._config_override,
                        config_call_reads=self._config_reads)

        value = numeric_value(value_node)
        if _knob(value, self._ignored):
            found(value)
        elif (mixed := _mixed_tuple(value_node, self._ignored)) is not None:
            self._reads_hyperparameters = True
            self._scope.read_configuration()
            found(mixed, self.ctx.module.code_for_node(value_node))
        elif isinstance(value_node, cst.IfExp):  # `0.65 if is_coco else 0.60`
            body, orelse = numeric_value(value_node.body), numeric_value(value_node.orelse)
            if _knob(body, self._ignored) and _knob(orelse, self._ignored):
                found(body, self.ctx.module.code_for_node(value_node))
        elif isinstance(value_node, cst.Attribute | cst.Subscript):
            self._reads_hyperparameters = True  # `lr=args.lr`, `cfg["epochs"]`: read from configuration
            self._scope.read_configuration()
        elif isinstance(value_node, cst.Name):
            self._uses.append(
                _Use(self._scope, value_node.value, written, source, known, False, self._config_call, self._config_override)
            )

    def _call_table(self, name: str | None) -> dict | None:
        if not name:
            return None
        arguments = self._calls.get(name)
        if arguments is None:
            arguments = next((a for prefix, a in self._call_prefixes if name.startswith(prefix)), None)
        return arguments

    def visit_Call(self, node: cst.Call) -> None:
        self._call_sites(node)
        self._config_call = self._config_override = False  # sites outside a call's own arguments are in none
        self._config_reads = ()

    def _call_sites(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method == "update" and node.args and isinstance(node.func.value, cst.Name):
                owner = self._scope.owner(node.func.value.value)
                values = owner.bindings[node.func.value.value] if owner is not None else []
                if len(values) == 1 and isinstance(values[0], cst.Dict):
                    self._updated_dicts.add(id(values[0]))
            if method in self._training_methods:
                self._scope.trains = True
            elif method in self._evaluation_methods and not node.args:
                self._scope.evaluates = True
        name = self.ctx.qualname(node.func)
        self._config_call = config_class_name((name or dotted_name(node.func) or "").rpartition(".")[2])
        self._config_reads = tuple(
            a.value.attr.value for a in node.args if isinstance(a.value, cst.Attribute)
        ) if self._config_call else ()
        self._config_override = any(self._names_config_file(arg.value) for arg in node.args)
        if name and name.startswith(self._data_feeds):
            self._feeds_data = True
        if name == "functools.partial" and node.args and node.args[0].keyword is None and not node.args[0].star:
            # `partial(nn.BatchNorm2d, momentum=0.1)` passes its arguments to the callable it wraps.
            self._call_sites(cst.Call(func=node.args[0].value, args=node.args[1:]))
            return
        if name in self._config_builders:
            self._builds_config = True
        if name in self._pipelines and not self._pipeline:
            self._dicts += 1
            self._pipeline, self._pipeline_node = self._dicts, id(node)
        arguments = self._call_table(name)
        if arguments is not None:
            for keyword, position in arguments.items():
                value = call_argument(node, keyword, position)
                if isinstance(value, cst.BaseExpression):
                    self._site(keyword, value, name or "")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in self._methods:
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value in self._methods[node.func.attr.value]:
                    self._site(arg.keyword.value, arg.value, f".{node.func.attr.value}()")
        elif name == "dict":
            self._dict_of([(a.keyword.value, a.value) for a in node.args if a.keyword is not None])
        elif not (isinstance(node.func, cst.Attribute) and node.func.attr.value in self._not_training_methods):
            callee = name or dotted_name(node.func) or (
                f".{node.func.attr.value}()" if isinstance(node.func, cst.Attribute) else "a call"
            )
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value.lower() in self._keyword_names:
                    self._site(arg.keyword.value, arg.value, callee, known=False)
        if name and name.startswith(self._ml_libraries) and not self._not_flowing.search(name):
            self._constants_into(node, name, arguments or {})

    def _constants_into(self, node: cst.Call, name: str, arguments: dict) -> None:
        """Module constants passed to an ML library call, in slots no table names."""
        slots = set(arguments)
        for arg in node.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword in slots or (keyword and self._not_flowing.search(keyword)):
                continue
            if isinstance(arg.value, cst.Name) and not self._not_flowing.search(arg.value.value):
                self._uses.append(_Use(self._scope, arg.value.value, arg.value.value, name, False, module_only=True))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """`proba > CUTOFF`, `scores >= threshold`: a decision threshold in a variable."""
        if len(node.comparisons) != 1 or not isinstance(
            node.comparisons[0].operator, (cst.GreaterThan, cst.GreaterThanEqual, cst.LessThan, cst.LessThanEqual)
        ):
            return
        left, right = node.left, node.comparisons[0].comparator
        for output, threshold in ((left, right), (right, left)):
            if isinstance(threshold, cst.Name) and _OUTPUT_NAME.search(self.ctx.module.code_for_node(output)):
                self._uses.append(_Use(self._scope, threshold.value, "threshold", DECISION_THRESHOLD, False, False))

    def leave_Call(self, original_node: cst.Call) -> None:
        if id(original_node) == self._pipeline_node:
            self._pipeline, self._pipeline_node = 0, None

    def visit_Dict(self, node: cst.Dict) -> None:
        """A param group (`{"params": head, "lr": 1e-3}`) or a dict of several hyperparameters."""
        before = self._dicts
        self._dict_of([
            (evaluated(e.key), e.value) for e in node.elements
            if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
            and isinstance(evaluated(e.key), str)
        ])
        if self._dicts > before:
            self._dict_nodes[id(node)] = self._dicts

    def _dict_of(self, keyed: list[tuple[str, cst.BaseExpression]]) -> None:
        """Scalar hyperparameters of one dict, reported together (tuples are search spaces)."""
        tuned = [
            (k, v) for k, v in keyed
            if k.lower() in self._keyword_names and _number(value := numeric_value(v)) and value not in self._ignored
        ]
        if tuned and (len(tuned) >= 2 or any(k == "params" for k, _ in keyed)):
            self._dicts += 1
            for key, value in tuned:
                self._site(key, value, "a dict of hyperparameters", grouped=self._dicts)

    # -- facts ----------------------------------------------------------------------------------

    def _found(self, node: cst.BaseExpression, name: str, written: str, value: object, source: str,
               scope: _Scope | None = None, **details: object) -> None:
        site = HyperparameterSite(name, written, value_repr(value), 0, 0, 0, 0, source, **details)
        self.sites.append((node, site))
        self._site_scopes[id(node)] = scope or self._scope

    def _resolve(self) -> None:
        """Uses of names become sites at the literal the name was assigned, once per literal."""
        if self._resolved:
            return
        self._resolved = True
        seen = {id(node) for node, _ in self.sites}
        overriding: dict[int, bool] = {}  # a literal's id -> whether every use of it overrides a config
        for use in self._uses:
            owner = use.scope.owner(use.name)
            if owner is None or (use.module_only and not owner.is_module):
                continue
            values = owner.bindings[use.name]
            if use.name in owner.params and not self._module_setting(owner, use.name):
                self._reads_hyperparameters = True  # a function's parameter: its caller configures it
                use.scope.read_configuration()
            if len(values) == 1 and values[0] is not None:
                overriding[id(values[0])] = overriding.get(id(values[0]), True) and use.config_override
            if len(values) != 1 or values[0] is None or id(values[0]) in seen:
                continue
            value = numeric_value(values[0])
            if not _knob(value, self._ignored):
                continue
            seen.add(id(values[0]))
            self._found(
                values[0], self.canonical(use.keyword), use.keyword, value, use.source, owner, known=use.known,
                code=self.ctx.module.code_for_node(values[0]), via=use.name, via_global=owner.is_module,
                in_settings=id(values[0]) in self._settings_values, in_config_call=use.config_call,
                overrides_config=use.config_override,
            )
        # A dict of defaults the caller's values update is the code's configuration, in one place.
        defaults = {self._dict_nodes[i] for i in self._updated_dicts if i in self._dict_nodes}
        self.sites = [
            (node, replace(site, in_settings=True) if site.grouped in defaults else site) for node, site in self.sites
        ]
        # A constant all of whose uses override a config (`BATCH_SIZE = 400 ... prepare_hparams(yaml_file,
        # batch_size=BATCH_SIZE)`) is an override too.
        self.sites = [
            (node, replace(site, overrides_config=True) if site.source == "constant" and overriding.get(id(node)) else site)
            for node, site in self.sites
        ]

    def _module_setting(self, scope: _Scope, name: str) -> bool:
        """Whether the module assigns `name` one literal (`num_epochs = 20` above `def train(model,
        num_epochs)`): the parameter of the same name is fed the script's own setting, which is
        reported where it is typed, not configuration the function's caller reads from elsewhere."""
        values = scope.module().bindings.get(name, [])
        return len(values) == 1 and values[0] is not None and _knob(numeric_value(values[0]), self._ignored)

    def located(self) -> list[cst.CSTNode]:
        self._resolve()
        return [node for node, _ in self.sites]

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        self._resolve()
        parts = self.ctx.path.split("/")
        facts.is_config_module = (
            bool(CONFIG_DIRS & set(parts[:-1])) or bool(_CONFIG_MODULE.search(parts[-1])) or self._builds_config
        )
        facts.feeds_data = self._feeds_data
        facts.reads_hyperparameters = self._reads_hyperparameters
        facts.hyperparameters = [
            replace(
                site, line=where[node].line, column=where[node].column, end_line=where[node].end_line,
                end_column=where[node].end_column, location=self.ctx.location(where[node].line),
                evaluating=(scope := self._site_scopes[id(node)]).evaluates and not scope.trains,
                beside_configuration=scope.beside_configuration(),
            )
            for node, site in self.sites
        ]
