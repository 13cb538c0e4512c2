"""SARIF 2.1.0 for code-scanning dashboards; `rules[]` comes from the registry.

What GitHub code scanning reads beyond the standard: `security-severity` and CWE tags make
unsafe deserialization a security alert, `precision` comes from the rule's confidence, paths
are relative to the repository root (not the project root, when a subfolder is a project) and
a notebook finding's region is the line of the .ipynb file that holds it.
"""

from __future__ import annotations

import json

from mldebt import __version__
from mldebt.catalogue import explain
from mldebt.registry import all_rules
from mldebt.report import Finding, RelatedSite, Report
from mldebt.rule import Category

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
#: GitHub's scale: 9.0+ critical, 7.0+ high, 4.0+ medium, below that low.
_SECURITY_SEVERITY = {"error": "8.8", "warning": "6.5", "info": "3.0"}
#: Rules whose findings are vulnerabilities, with their CWE.
_SECURITY_CWE = {Category.UNSAFE_DESERIALIZATION.value: "CWE-502"}


def _rule_properties(rule) -> dict:
    category = rule.category.value
    properties: dict = {"category": category, "tags": [category], "precision": rule.confidence.label}
    cwe = _SECURITY_CWE.get(category)
    if cwe is not None:
        properties["tags"] = ["security", f"external/cwe/{cwe.lower()}", category]
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity.label]
    return properties


def _artifact(path: str, prefix: str) -> dict:
    return {"uri": f"{prefix}/{path}" if prefix else path, "uriBaseId": "%SRCROOT%"}


def _location(f: Finding, prefix: str) -> dict:
    location: dict = {"artifactLocation": _artifact(f.path, prefix)}
    if f.cell is None:
        location["region"] = {
            "startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column,
        }
    elif f.notebook_line is not None:
        # Columns inside the notebook's JSON string are not the code's columns: the line only.
        location["region"] = {"startLine": f.notebook_line}
    return location


def _related(number: int, site: RelatedSite, prefix: str) -> dict:
    """Another site a finding names; in a notebook, on the .ipynb line, as results are."""
    line = site.notebook_line if site.cell is not None else site.line
    location: dict = {"artifactLocation": _artifact(site.path, prefix)}
    if line:
        location["region"] = {"startLine": line}
    text = f"cell {site.cell}, line {site.line}" if site.cell is not None else "also here" if line else f"also in {site.path}"
    return {"id": number, "physicalLocation": location, "message": {"text": text}}


def _result(f: Finding, index: int, prefix: str) -> dict:
    properties: dict = {"confidence": f.confidence, "category": f.category}
    message = f.message + (f". Hint: {f.hint}" if f.hint else "")
    if f.cell is not None:
        properties.update(cell=f.cell, cellLine=f.line)
        message = f"cell {f.cell}, line {f.line}: {message}"
    result = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": _LEVEL[f.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": _location(f, prefix)}],
        "partialFingerprints": {"mldebt/v1": f.fingerprint},
        "properties": properties,
    }
    if f.related:
        result["relatedLocations"] = [_related(number, site, prefix) for number, site in enumerate(f.related, start=1)]
    return result


def render(report: Report, color: bool = False) -> str:
    rules = [r for r in all_rules() if r.id in report.rules_run]
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {
        "name": "mldebt",
        "version": __version__,
        "rules": [
            {
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.summary()},
                "fullDescription": {"text": r.doc_section("Why it matters") or r.summary()},
                "help": {"text": explain(r), "markdown": explain(r)},
                "defaultConfiguration": {"level": _LEVEL[r.severity.label]},
                "properties": _rule_properties(r),
            }
            for r in rules
        ],
    }
    prefix = report.repository_prefix
    results = [_result(f, index[f.rule], prefix) for f in report.findings]
    notifications = [
        {"level": "warning", "message": {"text": f"{d.path}: {d.kind}: {d.message}"}} for d in report.diagnostics
    ]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
