"""YAML alias bombs and recursive aliases are refused with a diagnostic wherever mldebt reads
YAML; ordinary anchors still work."""

from __future__ import annotations

from conftest import scan_in_subprocess, write_tree

from mldebt.engine import scan

UNSAFE = "import pickle\npickle.load(f)\n"


def alias_bomb(levels: int) -> str:
    """'Billion laughs': each level is a list of nine references to the previous one."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


YAML_READERS = ["dvc.yaml", "data.csv.dvc", "configs/train.yaml", "params.yaml", "environment.yml", ".github/workflows/ci.yml"]


def test_alias_bombs_are_refused_everywhere_yaml_is_read(tmp_path):
    files = {path: alias_bomb(9) for path in YAML_READERS}  # 9^9 = 387 million nodes expanded
    files["configs/recursive.yaml"] = "a: &a [1, *a]\n"
    write_tree(tmp_path, {**files, "good.py": UNSAFE})
    document = scan_in_subprocess(tmp_path, "-j", "1", timeout=60)
    assert [f["path"] for f in document["findings"]] == ["good.py"]
    assert {d["path"]: d["kind"] for d in document["diagnostics"]} == dict.fromkeys(files, "yaml-aliases")


def test_ordinary_anchors_and_merge_keys_are_read(tmp_path):
    write_tree(
        tmp_path,
        {
            "configs/train.yaml": "defaults: &defaults\n  lr: 0.1\n  batch_size: 32\n"
            + "".join(f"run{i}:\n  <<: *defaults\n  seed: {i}\n" for i in range(50)),
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    outs: [model.pt]\n",
            "train.py": "import torch\ntorch.save(model, 'model.pt')\n",
        },
    )
    report = scan(tmp_path, jobs=1)
    assert report.diagnostics == []
    facts = {r.path: r.facts for r in report.files}
    assert "run49.seed" in {key.path for key in facts["configs/train.yaml"].config_keys}
    assert [stage.name for stage in facts["dvc.yaml"].pipeline_stages] == ["train"]
