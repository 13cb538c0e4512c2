"""`configuration-debt`: hyperparameters hard-coded in code instead of configuration
(Sculley et al. 2015, sec. 7). What counts as a hyperparameter, and which ML API arguments
take one, is `rules/knowledge/hyperparameters.yaml`; the sites come from
`mldebt.extract.collectors.HyperparameterCollector` as facts."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.extract.facts import HyperparameterSite
from mldebt.project import Project


def code_sites(project: Project) -> Iterator[tuple[str, HyperparameterSite]]:
    """Hard-coded hyperparameters outside tests, configuration modules and modules whose
    globals a configurator overrides (`exec(open(config).read())`): those are configuration."""
    for path, (_, facts) in project.files.items():
        if is_test_path(path) or facts.is_config_module:
            continue
        for site in facts.hyperparameters:
            if not ((site.source == "constant" or site.via_global) and facts.overrides_globals):
                yield path, site


def comparable(site: HyperparameterSite) -> bool:
    """A site whose value can be compared with another's: a literal written in an ML API call
    or a named constant; not a mixed tuple, a conditional, a keyword of an unknown call, a
    variable's literal nor a dict entry (whose canonical name can stand for another model's
    knob: XGBoost's `reg_alpha` is not Lasso's `alpha`)."""
    return site.known and not site.code and not site.grouped


def shown(value: str) -> str:
    """`0.0003`, `64`, `(0.9, 0.95)` from a site's stored float repr."""
    number = ast.literal_eval(value)
    if isinstance(number, tuple):
        return "(" + ", ".join(_short(v) for v in number) + ")"
    return _short(number)


def _short(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"
