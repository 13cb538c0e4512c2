"""Each `fixtures/<case>/` is a small ML repository scanned end to end.

Its `expected.json` holds the normalised report; `MLDEBT_UPDATE_SNAPSHOTS=1 pytest` rewrites
them (review the diff). Independently, every `# expect: MLDxxx` comment in a fixture's Python,
notebook, requirements, YAML or TOML file must match a finding on that line, and every finding
in those files must have its marker, so a snapshot can't silently absorb a regression.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from mldebt.engine import scan
from mldebt.extract.sources import notebook_source
from mldebt.settings import load_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
_MARKER = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def _normalised(root: Path) -> dict:
    document = scan(root, load_settings(root), jobs=1).to_dict()
    del document["tool"]  # the version changes on every release
    return document


def _markers(root: Path, findings: list[dict]) -> tuple[set, set]:
    """(expected, actual) sets of (path, cell, line, rule) for files that carry markers."""
    expected = set()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix in (".py", ".txt", ".yml", ".yaml", ".toml"):
            lines = [(None, n, text) for n, text in enumerate(path.read_text().splitlines(), 1)]
        elif path.suffix == ".ipynb":
            source = notebook_source(rel, path.read_text())
            lines = [(source.cell_map[n].cell, source.cell_map[n].line, text) for n, text in enumerate(source.lines, 1)]
        else:
            continue
        for cell, number, text in lines:
            match = _MARKER.search(text)
            if match:
                expected |= {(rel, cell, number, rule.strip()) for rule in match.group(1).split(",")}
    marked = (".py", ".ipynb", ".txt", ".yml", ".yaml", ".toml")
    actual = {(f["path"], f.get("cell"), f["line"], f["rule"]) for f in findings if f["path"].endswith(marked)}
    return expected, actual


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture_matches_expected_json(case):
    document = _normalised(case)
    snapshot = case / "expected.json"
    rendered = json.dumps(document, indent=2) + "\n"
    if os.environ.get("MLDEBT_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(rendered)
        pytest.skip(f"wrote {snapshot.name}: review the diff and commit")
    assert snapshot.exists(), f"{case.name} has no expected.json: run MLDEBT_UPDATE_SNAPSHOTS=1 pytest"
    assert json.loads(snapshot.read_text()) == document, "run MLDEBT_UPDATE_SNAPSHOTS=1 pytest and review the diff"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture_expect_markers(case):
    expected, actual = _markers(case, _normalised(case)["findings"])
    assert expected, f"{case.name} has no `# expect:` markers"
    assert actual - expected == set(), "findings without a marker"
    assert expected - actual == set(), "markers without a finding"
