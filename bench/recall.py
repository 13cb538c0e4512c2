"""Recall of `mldebt scan` against debts a reviewer listed by hand.

Usage: python bench/recall.py PANEL [--labels DIR] [--reports DIR] [--misses]

PANEL is the folder that holds the labelled repositories as work trees named `owner+name`; the
labels are `bench/recall/owner+name.yaml` (the format is described in the first of them). Each
repository is scanned once (its JSON report kept in --reports when given, else in a temporary
folder), and a label counts as found when a finding of one of its categories sits in its file
(and notebook cell) within its line span; `path: "*"` matches a finding of that category
anywhere. Prints found/total per repository and category, and with --misses each label missed.
Labels are read as the reviewer wrote them: recall, not precision, is measured here.
With --config FILE (a TOML with `[tool.mldebt]`) every repository is scanned with those
settings, e.g. `shipped = ["*.ipynb"]` to see what demo-code weighting hides. Scans never
cache: nothing is written into the panel's work trees.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

LABELS = Path(__file__).resolve().parent / "recall"


def scan(tree: Path, report: Path, config: Path | None = None) -> list[dict]:
    """Run the installed mldebt on one work tree (a separate process, the way users run it)."""
    command = [sys.executable, "-P", "-m", "mldebt", "scan", str(tree), "--format", "json",
               "--output", str(report), "--exit-zero", "--no-cache"]
    if config is not None:
        command += ["--config", str(config.resolve())]
    done = subprocess.run(command, capture_output=True, text=True, cwd=report.parent)
    if done.returncode != 0:
        raise SystemExit(f"mldebt failed on {tree}: {done.stderr.strip()}")
    return json.loads(report.read_text(encoding="utf-8"))["findings"]


def categories(label: dict) -> set[str]:
    wanted = label["category"]
    return {wanted} if isinstance(wanted, str) else set(wanted)


def found(label: dict, findings: list[dict]) -> bool:
    kinds = categories(label)
    first, last = label.get("lines", [0, 0])
    for finding in findings:
        if finding["category"] not in kinds:
            continue
        if label["path"] == "*":
            return True
        if finding["path"] != label["path"] or finding.get("cell") != label.get("cell"):
            continue
        if first <= finding["line"] <= last:
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("panel", type=Path)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--reports", type=Path)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--config", type=Path, help="scan with this TOML's [tool.mldebt] settings")
    args = parser.parse_args()
    reports = args.reports or Path(tempfile.mkdtemp(prefix="mldebt-recall-"))
    reports.mkdir(parents=True, exist_ok=True)
    overall = [0, 0]
    for labels_file in sorted(args.labels.glob("*.yaml")):
        spec = yaml.safe_load(labels_file.read_text(encoding="utf-8"))
        tree = args.panel / labels_file.stem
        findings = scan(tree, reports / f"{labels_file.stem}.json", args.config)
        per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        missed = []
        for label in spec["labels"]:
            hit = found(label, findings)
            kind = sorted(categories(label))[0]
            per_kind[kind][0] += hit
            per_kind[kind][1] += 1
            if not hit:
                missed.append(label)
        hits = sum(k[0] for k in per_kind.values())
        total = sum(k[1] for k in per_kind.values())
        overall[0] += hits
        overall[1] += total
        print(f"{spec['repo']} @ {spec['commit'][:12]}: {hits}/{total} = {hits / total:.2f}")
        for kind, (h, t) in sorted(per_kind.items()):
            print(f"    {kind:28s} {h:3d}/{t:<3d}")
        if args.misses:
            for label in missed:
                where = label["path"] + (f" cell {label['cell']}" if "cell" in label else "")
                span = label.get("lines", ["", ""])
                print(f"      missed {where}:{span[0]}-{span[1]} [{label['category']}] {label['why']}")
    print(f"all: {overall[0]}/{overall[1]} = {overall[0] / overall[1]:.2f}")


if __name__ == "__main__":
    main()
