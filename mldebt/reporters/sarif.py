"""SARIF 2.1.0 for code-scanning dashboards; `rules[]` comes from the registry."""

from __future__ import annotations

import json

from mldebt import __version__
from mldebt.catalogue import explain
from mldebt.registry import all_rules
from mldebt.report import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


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
                "properties": {"category": r.category.value, "tags": [r.category.value]},
            }
            for r in rules
        ],
    }
    results = []
    for f in report.findings:
        location: dict = {"artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"}}
        properties: dict = {"confidence": f.confidence, "category": f.category}
        message = f.message + (f". Hint: {f.hint}" if f.hint else "")
        if f.cell is None:
            location["region"] = {
                "startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column,
            }
        else:
            # Lines are relative to a notebook cell, which SARIF regions cannot express.
            properties.update(cell=f.cell, cellLine=f.line)
            message = f"cell {f.cell}, line {f.line}: {message}"
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _LEVEL[f.severity],
                "message": {"text": message},
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {"mldebt/v1": f.fingerprint},
                "properties": properties,
            }
        )
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
