"""Cross-file work stays near linear on generated repositories: reads x writes, LFS patterns x
artifacts, data files x reads, thousands of findings on one line and a Dockerfile `RUN` of
20,000 chained installs are indexed or capped, not compared pair by pair.

One subprocess with a timeout: before the indexes this tree took minutes."""

from __future__ import annotations

from conftest import scan_in_subprocess, write_tree

FILES, PER_FILE = 10, 100  # 1,000 reads, 1,000 writes, 1,000 LFS patterns


def test_generated_repository_is_scanned_in_seconds(tmp_path):
    tree = {
        ".gitattributes": "".join(f"models/m{i}_*.pt filter=lfs diff=lfs merge=lfs -text\n" for i in range(FILES * PER_FILE)),
        "one_line.py": "import pickle\n" + "; ".join(["pickle.load(f)"] * 2000) + "\n",
        "Dockerfile": "FROM python:3.11\nRUN " + " && \\\n    ".join(f"pip install pkg{i}==1.0" for i in range(20_000)) + "\n",
        **{f"data/f{i}.csv": "a\n" for i in range(FILES * PER_FILE)},
    }
    for j in range(FILES):
        tree[f"write_{j}.py"] = "import pandas as pd\n" + "".join(f"df.to_csv('out/a{j}_{i}.csv')\n" for i in range(PER_FILE))
        tree[f"read_{j}.py"] = "import pandas as pd\nimport torch\n" + "".join(
            f"pd.read_csv('out/a{j}_{i}.csv')\ntorch.load('art/x{j}_{i}.pt', weights_only=True)\npd.read_csv('data/g{j}_{i}.csv')\n"
            for i in range(PER_FILE)
        )
    write_tree(tmp_path, tree)
    findings = scan_in_subprocess(tmp_path, "-j", "1", "--select", "MLD4,MLD5,MLD304", timeout=90)["findings"]
    assert sum(f["path"] == "one_line.py" for f in findings) == 2000
    assert len({f["fingerprint"] for f in findings if f["path"] == "one_line.py"}) == 2000
    # Each reader's reads of one writer's files are one missing edge, naming the count of the others.
    hand_overs = [f for f in findings if f["rule"] == "MLD501"]
    assert len(hand_overs) == FILES and all(f"and {PER_FILE - 1} more files" in f["message"] for f in hand_overs)
