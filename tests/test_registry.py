"""Invariants every rule must keep, and the README catalogue staying in sync with them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mldebt.catalogue import CATALOGUE_FILE, catalogue_json, readme_with_catalogue
from mldebt.registry import SelectorError, all_rules, resolve_selector
from mldebt.rule import CATEGORY_PREFIX, PythonRule

ROOT = Path(__file__).resolve().parents[1]
RULES = all_rules()


def test_ids_are_unique_and_well_formed():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"MLD\d{3}", i) for i in ids)
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata(rule):
    assert rule.id.startswith(CATEGORY_PREFIX[rule.category])
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    # One name across slug, module and class.
    assert rule.__module__.rsplit(".", 1)[1] == rule.name.replace("-", "_")
    assert rule.__name__ == "".join(part.capitalize() for part in rule.name.split("-"))
    for section in ("Why it matters", "Known limitations", "References"):
        assert rule.doc_section(section), f"{rule.id} docstring lacks '## {section}'"
    assert rule.valid_examples() and rule.invalid_examples()


def test_selectors_resolve_ids_prefixes_categories_and_slugs():
    assert resolve_selector("MLD402") == {"MLD402"}
    assert resolve_selector("mld4") == {r.id for r in RULES if r.id.startswith("MLD4")}
    assert resolve_selector("unsafe-deserialization") == resolve_selector("MLD4")
    assert resolve_selector("torch-load-unrestricted") == {"MLD402"}
    # A category prefix is valid even before the category has rules; other prefixes are not.
    assert all(r.startswith("MLD7") for r in resolve_selector("MLD7"))
    with pytest.raises(SelectorError):
        resolve_selector("MLD9")
    with pytest.raises(SelectorError, match="did you mean `MLD402`"):
        resolve_selector("MLD4O2")


def test_readme_catalogue_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == readme_with_catalogue(readme), "README catalogue is stale: run `python -m mldebt.catalogue`"


def test_shipped_catalogue_is_current():
    """`mldebt rules` and `mldebt explain` read this copy instead of importing the rules."""
    shipped = (ROOT / "rules" / CATALOGUE_FILE).read_text(encoding="utf-8")
    assert shipped == catalogue_json(), "rules/catalogue.json is stale: run `python -m mldebt.catalogue`"


def test_engine_never_imports_the_cli_stack():
    """The engine is a library: importing it must not pull in rich or click."""
    code = "import sys, mldebt; mldebt.scan; assert 'rich' not in sys.modules and 'click' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("rule", [r for r in RULES if issubclass(r, PythonRule)], ids=lambda r: r.id)
def test_rules_use_only_node_visitors(rule):
    """The engine's walker dispatches `visit_X`/`leave_X`; libcst attribute visitors would be
    silently ignored, so none may exist."""
    import libcst as cst

    for name in vars(rule):
        if name.startswith(("visit_", "leave_")):
            node = name.split("_", 1)[1]
            assert isinstance(getattr(cst, node, None), type), f"{rule.id}.{name} is not a node visitor"


def test_explain_shows_an_example_as_the_rule_sees_it():
    """A notebook example reads as its cells, not its JSON, and an example whose verdict depends
    on its file name or its neighbours names them: otherwise "Flagged" and "Not flagged" can
    show the same code."""
    from mldebt.catalogue import explain
    from mldebt.registry import rule_by_id

    doc = explain(rule_by_id("MLD206"))
    flagged, not_flagged = doc.split("## Flagged\n")[1].split("## Not flagged\n")
    assert '"cell_type"' not in doc
    assert "`report.ipynb`:" in flagged and "with `.github/workflows/nb.yml`:\n```yaml" in flagged
    assert "`lesson.ipynb`:" in not_flagged and "with `" not in not_flagged.split("##")[0]
    plain = explain(rule_by_id("MLD402")).split("## Flagged\n")[1]
    assert plain.startswith("```python\n")
