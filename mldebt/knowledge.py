"""The ML knowledge base: YAML tables under `rules/knowledge/`, loaded once per process.

Rules read tables, not hard-coded lists, so that teaching mldebt another library (or a
team's in-house loader) is a data change. YAML is only ever read with `safe_load`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from mldebt.rule import Confidence, Severity

if TYPE_CHECKING:
    import libcst as cst

    from mldebt.extract.context import FileContext


#: libyaml's safe loader when PyYAML was built with it: the shipped tables are mldebt's own
#: trusted YAML, and parsing them in pure Python cost 0.15 s of every scan's start.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_table(name: str) -> Any:
    """The parsed `rules/knowledge/<name>.yaml`."""
    text = resources.files("mldebt.rules").joinpath("knowledge", f"{name}.yaml").read_text("utf-8")
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python


def alias_map(hyperparameters: dict) -> dict[str, str]:
    """spelling -> canonical hyperparameter name, from a hyperparameters table (`lr` -> `learning_rate`)."""
    return {alias: name for name, aliases in hyperparameters["aliases"].items() for alias in aliases}


@dataclass(frozen=True)
class GuardedCall:
    """A call that is unsafe unless one argument says otherwise (see the YAML file's header)."""

    call: str
    message: str
    hint: str
    keyword: str | None = None
    position: int | None = None
    unsafe_values: tuple[Any, ...] = ()
    missing_is_unsafe: bool = True
    message_missing: str | None = None
    severity_missing: Severity | None = None
    confidence_missing: Confidence | None = None


@dataclass(frozen=True)
class Verdict:
    message: str
    hint: str
    severity: Severity | None = None
    confidence: Confidence | None = None


@cache
def guarded_calls(table: str, rule_id: str) -> dict[str, GuardedCall]:
    """The entries of `table` reported by `rule_id`, keyed by qualified call name."""
    entries: dict[str, GuardedCall] = {}
    for entry in load_table(table)["calls"]:
        if entry["rule"] != rule_id:
            continue
        argument = entry.get("argument") or {}
        for call in entry["calls"]:
            entries[call] = GuardedCall(
                call=call,
                message=entry["message"],
                hint=entry["hint"],
                keyword=argument.get("keyword"),
                position=argument.get("position"),
                unsafe_values=tuple(entry.get("unsafe", ())),
                missing_is_unsafe=entry.get("missing", "unsafe") == "unsafe",
                message_missing=entry.get("message_missing"),
                severity_missing=Severity.parse(entry["severity_missing"]) if "severity_missing" in entry else None,
                confidence_missing=Confidence[entry["confidence_missing"].upper()] if "confidence_missing" in entry else None,
            )
    return entries


def check_guarded_call(
    ctx: FileContext, node: cst.Call, spec: GuardedCall, report_missing: bool = True
) -> Verdict | None:
    """Why `node`, a call of `spec.call`, is unsafe, or None when it is (or may be) safe.

    An argument computed at run time, or possibly passed through `**kwargs`, gets the benefit
    of the doubt: precision matters more than recall.
    """
    # Imported here: settings read the tables of this module, and must not import libcst.
    from mldebt.extract.context import MAYBE_PASSED, UNKNOWN, call_argument, literal_value

    fill = {"call": spec.call}
    if spec.keyword is None and spec.position is None:
        return Verdict(spec.message.format(**fill), spec.hint.format(**fill))
    value_node = call_argument(node, spec.keyword, spec.position)
    if value_node is MAYBE_PASSED:
        return None
    if value_node is None:
        if not (spec.missing_is_unsafe and report_missing):
            return None
        message = spec.message_missing or spec.message
        return Verdict(message.format(**fill), spec.hint.format(**fill), spec.severity_missing, spec.confidence_missing)
    value = literal_value(value_node)
    if value is UNKNOWN:
        value = ctx.qualname(value_node)
    if value is not None and value in spec.unsafe_values:
        return Verdict(spec.message.format(value=value, **fill), spec.hint.format(**fill))
    return None


def unsafe_call(rule: Any, node: cst.Call, table: str, report_missing: bool = True) -> Verdict | None:
    """Why `node` is unsafe, if `table` lists its call for `rule` (a PythonRule) and the call is
    unsafe as written. With `report_missing=False`, a call that leaves the deciding argument
    out is not unsafe."""
    name = rule.ctx.qualname(node.func)
    spec = guarded_calls(table, rule.id).get(name) if name else None
    return None if spec is None else check_guarded_call(rule.ctx, node, spec, report_missing)


def report_guarded_call(rule: Any, node: cst.Call, table: str, report_missing: bool = True) -> None:
    """Report `node` from `rule` if it is an unsafe call of `table` (`unsafe_call`); the shared
    body of table-driven call rules."""
    verdict = unsafe_call(rule, node, table, report_missing)
    if verdict is not None:
        rule.report(node, verdict.message, verdict.hint, severity=verdict.severity, confidence=verdict.confidence)


@dataclass(frozen=True)
class CallPattern:
    """A call that is evidence: `call` exact, or every call under it when `prefix`; optionally
    only when the first argument's code matches `argument`, or `keyword` is `value`."""

    call: str
    prefix: bool = False
    argument: re.Pattern | None = None
    keyword: str | None = None
    value: Any = None

    def matches(self, name: str) -> bool:
        return name.startswith(self.call) if self.prefix else name == self.call


@dataclass(frozen=True)
class Detector:
    """Where one kind of ML Test Score evidence is found (`rules/knowledge/ml_test_score.yaml`)."""

    name: str
    describes: str
    inline: bool = False
    automated_files: bool = False
    calls: tuple[CallPattern, ...] = ()
    methods: frozenset[str] = frozenset()
    bases: tuple[tuple[str, re.Pattern | None], ...] = ()
    test_functions: re.Pattern | None = None
    assert_methods: frozenset[str] = frozenset()
    quality_gate: bool = False
    text_kinds: frozenset[str] = frozenset()
    text_patterns: tuple[re.Pattern, ...] = ()
    files: tuple[str, ...] = ()
    #: Derived in the project phase: `feature`/`model` code imported by tests, feature code
    #: shared by training and serving, training on a schedule.
    tested: str | None = None
    shared: bool = False
    scheduled: bool = False


def _call_pattern(entry: Any) -> CallPattern:
    if isinstance(entry, str):
        entry = {"call": entry}
    call = entry["call"]
    argument = entry.get("argument")
    return CallPattern(
        call.removesuffix("*"), call.endswith(".*"), re.compile(argument) if argument else None,
        entry.get("keyword"), entry.get("value"),
    )


@cache
def detectors() -> dict[str, Detector]:
    """The ML Test Score evidence detectors, compiled once per process."""
    compiled = {}
    for name, entry in load_table("ml_test_score")["detectors"].items():
        python, text = entry.get("python", {}), entry.get("text", {})
        test_functions = python.get("test_functions")
        compiled[name] = Detector(
            name=name,
            describes=entry["describes"],
            inline=entry.get("inline", False),
            automated_files=entry.get("automated_files", False),
            calls=tuple(map(_call_pattern, python.get("calls", ()))),
            methods=frozenset(python.get("methods", ())),
            bases=tuple((b["base"], re.compile(b["name"]) if "name" in b else None) for b in python.get("bases", ())),
            test_functions=re.compile(test_functions) if test_functions else None,
            assert_methods=frozenset(python.get("assert_methods", ())),
            quality_gate=python.get("quality_gate", False),
            text_kinds=frozenset(text.get("kinds", ())),
            text_patterns=tuple(re.compile(p) for p in text.get("patterns", ())),
            files=tuple(entry.get("files", ())),
            tested=entry.get("tested"),
            shared=entry.get("shared", False),
            scheduled=entry.get("scheduled", False),
        )
    return compiled
