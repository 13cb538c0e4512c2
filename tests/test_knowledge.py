"""The YAML knowledge base is well formed: every table a rule reads has the shape it expects."""

from __future__ import annotations

import re
from importlib import resources

import yaml
from packaging.utils import canonicalize_name

from mldebt.knowledge import guarded_calls, load_table
from mldebt.registry import all_rules

RULE_IDS = {r.id for r in all_rules()}
VERSION = re.compile(r"^\d+\.\d+$")


def test_deserialization_table():
    entries = load_table("deserialization")["calls"]
    assert entries
    for entry in entries:
        assert entry["rule"] in RULE_IDS
        assert set(entry) <= {
            "rule", "calls", "argument", "unsafe", "missing", "message", "message_missing",
            "hint", "severity_missing", "confidence_missing",
        }, entry
        assert entry["calls"] and all(re.fullmatch(r"[\w.]+", c) for c in entry["calls"])
        assert entry.get("missing", "unsafe") in ("safe", "unsafe")
        assert "{call}" in entry["message"]
        if "argument" in entry:
            assert set(entry["argument"]) <= {"keyword", "position"}
    for rule_id in {e["rule"] for e in entries}:
        assert guarded_calls("deserialization", rule_id)


def test_gpu_stack_table():
    table = load_table("gpu_stack")
    assert all(name == canonicalize_name(name) for name in table["pip_packages"] + table["api_libraries"])
    assert set(table["cuda_variant_packages"]) <= set(table["pip_packages"]) | set(table["conda_packages"])
    assert set(table["deprecated"]) <= set(table["pip_packages"])
    for release, builds in table["torch_cuda_builds"].items():
        assert VERSION.match(release) and builds and all(VERSION.match(b) for b in builds), release
        assert builds == sorted(builds, key=lambda v: tuple(map(int, v.split("."))))
    for release, cuda in table["tensorflow_cuda"].items():
        assert VERSION.match(release) and VERSION.match(cuda)
    assert set(table["removed_api"]) <= set(table["api_libraries"])
    for releases in table["removed_api"].values():
        assert all(VERSION.match(release) and names for release, names in releases.items())


def test_config_consumers_table():
    sections = load_table("config_consumers")["sections"]
    assert sections and all(isinstance(group, list) and group for group in sections.values())
    assert all(re.fullmatch(r"[a-z_0-9]+", name) for group in sections.values() for name in group)
    formats = load_table("config_consumers")["formats"]
    for name, spec in formats.items():
        assert set(spec) <= {"signature", "keys", "frame"} and spec["signature"] and spec["keys"], name
        assert all(isinstance(s, list) and s for s in spec["signature"]), name
        paths = [k for s in spec["signature"] for k in s] + spec["keys"] + spec.get("frame", [])
        assert all(re.fullmatch(r"(\*|[\w-]+)(\.(\*|[\w-]+))*", p) for p in paths), name


def test_every_table_reads_the_same_with_the_fast_loader_and_pure_python():
    """The tables are parsed with libyaml when it is there; it must not change a value."""
    folder = resources.files("mldebt.rules").joinpath("knowledge")
    names = sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
    assert "hyperparameters" in names
    for name in names:
        assert load_table(name) == yaml.safe_load(folder.joinpath(f"{name}.yaml").read_text("utf-8")), name
