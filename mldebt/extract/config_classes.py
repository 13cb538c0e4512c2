"""Config classes (dataclasses, attrs classes, pydantic models named like a config) and what
takes their fields, as facts for MLD207 (unread-config-field).

Which fields nothing reads is a question about the whole project, so this phase records, per
file: the config classes and their fields, the names that occur only as such a field (so that
a field definition does not count as a read of its own name), config classes handed to a call
(`HfArgumentParser((ModelArgs, DataArgs))`), config classes it builds (`TrainConfig(...)`,
`TrainConfig.from_yaml(...)`), and whether the file takes some object's fields all at once
(`asdict(cfg)`). The table is `rules/knowledge/config_classes.yaml`.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import libcst as cst

from mldebt.extract.context import Collector, FileContext, dotted_name, evaluated
from mldebt.extract.facts import ConfigClass, ConfigField, Facts
from mldebt.extract.walk import nodes
from mldebt.knowledge import load_table

_IDENTIFIERS = re.compile(r"[A-Za-z_]\w*")
#: Annotations that make a class attribute something other than a field.
_NOT_FIELDS = frozenset({"ClassVar", "InitVar", "KW_ONLY"})


@cache
def _table() -> tuple[frozenset[str], frozenset[str], re.Pattern, frozenset[str], frozenset[str]]:
    table = load_table("config_classes")
    return (
        frozenset(table["decorators"]), frozenset(table["bases"]), re.compile(table["class_names"]),
        frozenset(table["whole_calls"]), frozenset(table["whole_methods"]),
    )


@lru_cache(maxsize=8192)
def config_class_name(name: str) -> bool:
    """Whether a class name reads like a configuration's (`TrainConfig`, `ModelArgs`); once per
    name and worker (the collectors ask about every call and argument)."""
    return bool(_table()[2].search(name))


def config_bases() -> frozenset[str]:
    """Base classes that make a config class without reading its fields themselves."""
    return _table()[1]


class ConfigClassCollector(Collector):
    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.decorators, _, _, self.whole_calls, self.whole_methods = _table()
        #: (class node, its field target nodes, whether something takes its fields whole)
        self.classes: list[list] = []
        self._open: list[list | None] = []  # enclosing classes, None for one that is no config class
        self.field_targets: set[cst.Name] = set()
        self.handed: set[str] = set()
        #: config classes the file builds itself: called, or a class method of called
        self.built: set[str] = set()
        self.takes_whole = False

    def _name(self, node: cst.BaseExpression) -> str:
        return self.ctx.qualname(node) or dotted_name(node) or ""

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        decorators = [self._name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                      for d in node.decorators]
        making = [d for d in decorators if d in self.decorators]
        bases = [self._name(b.value) for b in node.bases if b.keyword is None]
        pydantic = any(b.rsplit(".", 1)[-1] in ("BaseModel", "BaseSettings") for b in bases)
        if not (making or pydantic) or not config_class_name(node.name.value):
            self._open.append(None)
            return
        targets = [
            small.target
            for statement in node.body.body if isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name)
            and not _NOT_FIELDS & set(_IDENTIFIERS.findall(dotted_name(_outer(small.annotation.annotation)) or ""))
            and not small.target.value.startswith("_")
        ]
        self.field_targets.update(targets)
        entry = [node, targets, bases, len(decorators) > len(making)]  # another decorator may register it
        self.classes.append(entry)
        self._open.append(entry)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._open.pop()

    def _whole(self) -> None:
        self.takes_whole = True
        for entry in self._open:
            if entry is not None:
                entry[3] = True  # `asdict(self)` in a method: the class hands itself over whole

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "__dict__":
            self._whole()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = self.ctx.qualname(func)
        if name in self.whole_calls or (isinstance(func, cst.Attribute) and func.attr.value in self.whole_methods) or (
            name == "getattr" and len(node.args) >= 2 and not isinstance(node.args[1].value, cst.SimpleString)
        ):
            self._whole()  # `getattr(cfg, name)` may read any field
        for arg in node.args:
            value_type = arg.value.__class__  # (exact classes: a failed `isinstance` on libcst's ABCs is slow)
            values = [e.value for e in arg.value.elements] if value_type is cst.Tuple or value_type is cst.List else [arg.value]
            for value in values:
                self._config_name(value, self.handed)
        # `TrainConfig(...)`, `TrainConfig.from_yaml(...)`: the file builds the class
        if not self._config_name(func, self.built) and isinstance(func, cst.Attribute):
            self._config_name(func.value, self.built)

    def _config_name(self, node: cst.BaseExpression, into: set[str]) -> bool:
        """Add the config-like class name `node` spells (`ModelArgs`, `cfg.TrainConfig`) to `into`.
        (Every argument of every call comes here: the last name is checked before the chain.)"""
        node_type = node.__class__
        last = node.value if node_type is cst.Name else node.attr.value if node_type is cst.Attribute else ""
        if last[:1].isupper() and config_class_name(last) and dotted_name(node) is not None:
            into.add(last)
            return True
        return False

    def located(self) -> list[cst.CSTNode]:
        return [entry[0] for entry in self.classes] + list(self.field_targets)

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        facts.config_classes = [
            ConfigClass(
                node.name.value, where[node].line,
                tuple(ConfigField(t.value, where[t].line, where[t].column) for t in targets),
                tuple(bases), whole,
            )
            for node, targets, bases, whole in self.classes
        ]
        facts.config_classes_handed = self.handed
        facts.config_classes_built = self.built
        facts.takes_fields_whole = self.takes_whole
        if self.field_targets:
            facts.config_field_only = {t.value for t in self.field_targets} - _other_uses(module, self.field_targets)


def _outer(annotation: cst.BaseExpression) -> cst.BaseExpression:
    """`ClassVar` of `ClassVar[int]`."""
    return annotation.value if isinstance(annotation, cst.Subscript) else annotation


#: Keywords and dict keys whose string documents a field rather than reads one
#: (`field(metadata={"help": "..."})`, pydantic's `Field(description=...)`).
_DOCUMENTING = frozenset({"help", "description", "doc", "title"})


def _other_uses(module: cst.Module, fields: set[cst.Name]) -> set[str]:
    """Every identifier a module mentions other than as a config class's field: names,
    attributes, identifiers inside strings other than docstrings and help texts. Run only on
    modules that define config classes."""
    names: set[str] = set()
    for node in nodes(module, ("Name", "SimpleString", "Expr", "Arg", "DictElement"), _may_mention):
        if isinstance(node, cst.Name):
            if node not in fields:
                names.add(node.value)
        elif isinstance(node, cst.SimpleString):
            value = evaluated(node)
            if isinstance(value, str) and len(value) <= 100:
                names.update(_IDENTIFIERS.findall(value))
    return names


def _may_mention(node: cst.CSTNode) -> bool:
    """Whether what is inside `node` can mention a field: not a docstring, not the text of a
    documenting keyword or dict key."""
    if isinstance(node, cst.Expr):
        return not isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString))
    if isinstance(node, cst.Arg):
        return node.keyword is None or node.keyword.value not in _DOCUMENTING
    if isinstance(node, cst.DictElement):
        key = node.key
        return not (isinstance(key, cst.SimpleString) and evaluated(key) in _DOCUMENTING)
    return True
