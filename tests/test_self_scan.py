"""mldebt scans its own repository clean (fixtures and bench are excluded by its config)."""

from __future__ import annotations

from pathlib import Path

from mldebt.engine import scan
from mldebt.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_mldebt_scans_itself_without_findings_or_diagnostics():
    report = scan(ROOT, load_settings(ROOT), jobs=1)
    assert [(f.path, f.line, f.rule) for f in report.findings] == []
    assert report.diagnostics == []
