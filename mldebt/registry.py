"""The catalogue of rules: found by walking the `mldebt.rules` package, never by a central list.

Adding a rule means adding a module under `rules/`; this module finds it, checks its metadata,
and resolves the selectors users write (`MLD401`, `MLD4`, `unsafe-deserialization`,
`pickle-deserialization`) to rule ids.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
from functools import cache

from mldebt.rule import CATEGORY_PREFIX, RULE_KINDS, Category, PythonRule, TextRule

RuleClass = type[PythonRule] | type[TextRule]


class SelectorError(ValueError):
    """A rule id, prefix, slug or category that matches no rule."""


@cache
def all_rules() -> tuple[RuleClass, ...]:
    """Every concrete rule class under `mldebt.rules`, sorted by id."""
    package = importlib.import_module("mldebt.rules")
    found: dict[str, RuleClass] = {}
    for info in pkgutil.walk_packages(package.__path__, prefix="mldebt.rules."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and issubclass(obj, RULE_KINDS) and obj not in RULE_KINDS:
                found[obj.id] = obj
    return tuple(found[rule_id] for rule_id in sorted(found))


def rule_by_id(rule_id: str) -> RuleClass:
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    raise SelectorError(unknown("rule", rule_id, [r.id for r in all_rules()]))


def unknown(what: str, value: str, choices: list[str]) -> str:
    """`unknown rule `X``, with the closest choice as a suggestion."""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"unknown {what} `{value}`{hint}"


def resolve_selector(selector: str) -> frozenset[str]:
    """The ids a selector names: an id, an id prefix, a category or a rule slug."""
    rules = all_rules()
    text = selector.strip()
    categories = {c.value for c in Category}
    if text in categories:
        return frozenset(r.id for r in rules if r.category.value == text)
    by_slug = {r.name: r.id for r in rules}
    if text in by_slug:
        return frozenset({by_slug[text]})
    upper = text.upper()
    if upper.startswith("MLD"):
        matched = frozenset(r.id for r in rules if r.id.startswith(upper))
        # A category prefix (`MLD7`) is valid even before that category has rules.
        if matched or upper in CATEGORY_PREFIX.values() or upper == "MLD":
            return matched
    choices = [r.id for r in rules] + sorted(categories) + sorted(by_slug)
    raise SelectorError(unknown("rule or category", selector, choices))
