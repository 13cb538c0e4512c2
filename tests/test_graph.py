"""The data/model dependency graph: what it contains, and every export format read back."""

from __future__ import annotations

import io
import json
import re

import networkx as nx
import pytest
from conftest import notebook, write_tree

from mldebt.engine import scan
from mldebt.project.graph import EXPORTS, ArtifactIndex, same_artifact

PIPELINE = {
    "src/train.py": (
        "import pandas as pd, torch, os\nDATA = 'data/train.csv'\n"
        "df = pd.read_csv(DATA)\ntorch.save(model.state_dict(), os.path.join('models', 'model.pt'))\n"
    ),
    "src/evaluate.py": (
        "import torch, json, numpy as np\nsd = torch.load('models/model.pt', weights_only=True)\n"
        "open('metrics.json', 'w').write('{}')\nx = np.load('data/%s.npy' % split)\ny = np.load('data/{}_y.npy'.format(split))\n"
    ),
    "src/predict.py": (
        "import torch\nfrom pathlib import Path\nfrom transformers import AutoTokenizer\n"
        "sd = torch.load('models/model.pt', weights_only=True)\n"
        "preds.to_csv(Path('outputs') / f'preds_{day}.csv')\n"
        "tok = AutoTokenizer.from_pretrained('org/tokenizer')\nlocal = AutoTokenizer.from_pretrained('./tok')\n"
        "sized = AutoTokenizer.from_pretrained(f'org/llama-{size}')\n"
    ),
    "notebooks/explore.ipynb": notebook(("code", "import pandas as pd\ndf = pd.read_csv('../data/train.csv')")),
    "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    deps: [data/train.csv, src/train.py]\n    outs: [models/model.pt]\n",
    "data/train.csv.dvc": "outs:\n- md5: 1\n  path: train.csv\n",
    ".gitattributes": "*.pt filter=lfs diff=lfs merge=lfs -text\n",
    "src/paths.py": "FEATURES = 'data/features.parquet'\n",
    "src/featurize.py": (
        "import pandas as pd\nfrom paths import FEATURES\nimport paths\n"
        "pd.read_parquet(FEATURES)\npd.read_parquet(paths.FEATURES)\npd.read_csv(cfg['data']['raw'])\n"
    ),
    "configs/data.yaml": "data:\n  raw: data/raw.csv\n",
    "src/fetch.py": (
        "import boto3, s3fs, wandb\ns3 = boto3.client('s3')\ns3.download_file('ml-data', 'raw/v1.csv', 'data/v1.csv')\n"
        "fs = s3fs.S3FileSystem()\nwith fs.open('s3://ml-data/labels.csv', 'rb') as f:\n    pass\n"
        "art = run.use_artifact('team/proj/dataset:v3')\n"
        "import datasets\nlocal = datasets.load_dataset('csv', data_files='data/x.csv')\nremote = datasets.load_dataset('imdb')\n"
    ),
}


@pytest.fixture
def graph(tmp_path):
    write_tree(tmp_path, PIPELINE)
    return scan(tmp_path, jobs=1).graph


def test_a_scripts_relative_path_goes_to_the_reading_the_tree_supports(tmp_path):
    write_tree(tmp_path, {
        "serving/app.py": "import joblib\nm = joblib.load('model.joblib')\np = joblib.load('other.joblib')\n",
        "serving/model.joblib": "committed beside the script",
        "nb/explore.ipynb": notebook(("code", "import joblib\nm = joblib.load('model.joblib')")),
    })
    graph = scan(tmp_path, jobs=1).graph
    assert graph.edges["artifact:serving/model.joblib", "code:serving/app.py"]["other_reading"] == "model.joblib"
    assert graph.edges["artifact:other.joblib", "code:serving/app.py"]["other_reading"] == "serving/other.joblib"
    assert "other_reading" not in graph.edges["artifact:nb/model.joblib", "code:nb/explore.ipynb"]


def test_nodes_edges_declarations_and_versions(graph):
    assert graph.edges["artifact:data/train.csv", "code:src/train.py"] == {
        "relation": "reads", "line": 3, "api": "pandas.read_csv", "declared": True,
        "other_reading": "src/data/train.csv",  # the script may run from its own folder
    }
    assert graph.edges["code:src/train.py", "artifact:models/model.pt"]["declared"] is True
    assert graph.edges["artifact:models/model.pt", "code:src/predict.py"]["declared"] is False
    assert graph.has_edge("code:src/predict.py", "artifact:outputs/preds_*.csv")
    assert graph.has_edge("external:hf://org/tokenizer", "code:src/predict.py")  # a hub id is external
    assert graph.has_edge("artifact:tok", "code:src/predict.py")  # a local folder is an artifact
    assert graph.has_edge("external:hf://org/llama-*", "code:src/predict.py")
    # an imported constant, a module attribute and a config value
    assert graph.has_edge("artifact:data/features.parquet", "code:src/featurize.py")
    assert graph.has_edge("artifact:data/raw.csv", "code:src/featurize.py")
    # object stores and experiment trackers are external sources
    assert graph.has_edge("external:s3://ml-data/raw/v1.csv", "code:src/fetch.py")
    assert graph.has_edge("external:s3://ml-data/labels.csv", "code:src/fetch.py")
    assert graph.has_edge("external:wandb://team/proj/dataset:v3", "code:src/fetch.py")
    assert graph.has_edge("external:hf://datasets/imdb", "code:src/fetch.py")
    assert "external:hf://datasets/csv" not in graph
    assert graph.has_edge("code:src/evaluate.py", "artifact:metrics.json")
    assert graph.has_edge("artifact:data/*.npy", "code:src/evaluate.py")  # % template
    assert graph.has_edge("artifact:data/*_y.npy", "code:src/evaluate.py")  # .format template
    # the notebook's relative path resolves from its own folder
    assert graph.has_edge("artifact:data/train.csv", "code:notebooks/explore.ipynb")
    assert graph.nodes["code:notebooks/explore.ipynb"]["type"] == "notebook"
    assert graph.nodes["artifact:data/train.csv"]["versioned"] is True  # .dvc file
    assert graph.nodes["artifact:models/model.pt"]["versioned"] is True  # dvc.yaml out and LFS
    assert graph.nodes["artifact:metrics.json"]["versioned"] is False


def test_json_export_reads_back_with_networkx(graph):
    data = json.loads(EXPORTS["json"](graph))
    back = nx.node_link_graph(data, edges="links")
    assert set(back.nodes) == set(graph.nodes) and set(back.edges) == set(graph.edges)


def test_graphml_export_reads_back_with_networkx(graph):
    back = nx.read_graphml(io.BytesIO(EXPORTS["graphml"](graph).encode()))
    assert set(back.nodes) == set(graph.nodes) and set(back.edges) == set(graph.edges)
    assert back.nodes["artifact:data/train.csv"]["versioned"] is True


def test_dot_export_follows_the_grammar(graph):
    text = EXPORTS["dot"](graph)
    assert text.startswith("digraph mldebt {") and text.rstrip().endswith("}")
    nodes = re.findall(r'^  "([^"]+)" \[label=', text, re.M)
    edges = re.findall(r'^  "([^"]+)" -> "([^"]+)" \[label="(reads|writes)", style=(solid|dashed)\];$', text, re.M)
    assert sorted(nodes) == sorted(graph.nodes)
    assert {(u, v) for u, v, *_ in edges} == set(graph.edges)


def test_mermaid_export(graph):
    lines = EXPORTS["mermaid"](graph).splitlines()
    assert lines[0] == "flowchart LR"
    assert len([line for line in lines if "-->" in line or "-.->" in line]) == graph.number_of_edges()


def test_graph_command_writes_each_format(tmp_path, run_cli):
    repo = write_tree(tmp_path / "repo", PIPELINE)
    for fmt in EXPORTS:
        out = tmp_path / f"graph.{fmt}"
        result = run_cli("graph", repo, "--format", fmt, "--output", out)
        assert result.exit_code == 0, result.output
        assert out.read_text()
    first = run_cli("graph", repo, "-f", "json").stdout
    assert first == run_cli("graph", repo, "-f", "json", "--jobs", "2").stdout


def test_scan_json_includes_the_graph(tmp_path, scan_json):
    write_tree(tmp_path, PIPELINE)
    _, doc = scan_json(tmp_path)
    assert any(
        link["source"] == "code:src/train.py" and link["target"] == "artifact:models/model.pt"
        for link in doc["graph"]["links"]
    )


_TRAINS = "import pandas as pd, torch\ndf = pd.read_csv('data/train.csv')\ntorch.save(m, 'models/model.pt')\n"


@pytest.mark.parametrize("command", [
    "python -m pkg.train", "python3 -u -m pkg.train --epochs 3", "python src/pkg/train.py", "cd src && python pkg/train.py",
])
def test_a_stage_command_names_its_script_in_a_src_layout(tmp_path, command):
    write_tree(tmp_path, {
        "src/pkg/__init__.py": "", "src/pkg/train.py": _TRAINS,
        "dvc.yaml": f"stages:\n  train:\n    cmd: {command}\n    deps: [data/train.csv]\n    outs: [models/model.pt]\n",
    })
    graph = scan(tmp_path, jobs=1).graph
    assert graph.edges["artifact:data/train.csv", "code:src/pkg/train.py"]["declared"] is True
    assert graph.edges["code:src/pkg/train.py", "artifact:models/model.pt"]["declared"] is True
    assert [n for n in graph if n.startswith("code:")] == ["code:src/pkg/train.py"]


def test_a_stage_in_a_sub_folder_runs_there_and_a_module_outside_the_tree_is_no_script(tmp_path):
    write_tree(tmp_path, {
        "ml/pkg/__init__.py": "", "ml/pkg/__main__.py": _TRAINS.replace("data/", "../data/"),
        "ml/dvc.yaml": (
            "stages:\n  train:\n    cmd: [python -m pip install -e ., python -m pkg]\n    wdir: .\n"
            "    deps: [../data/train.csv]\n    outs: [models/model.pt]\n"
        ),
    })
    graph = scan(tmp_path, jobs=1).graph
    assert graph.edges["code:ml/pkg/__main__.py", "artifact:ml/models/model.pt"]["declared"] is True
    assert graph.nodes["artifact:ml/models/model.pt"]["versioned"] is True
    assert [n for n in graph if n.startswith("code:")] == ["code:ml/pkg/__main__.py"]


def test_the_artifact_index_answers_as_comparing_with_every_path_would():
    paths = ["data/train.csv", "data/test.csv", "data/a[1].csv", "out/preds_*.csv", "models/?.pt", "*/meta.pkl", "models/m.pt"]
    index = ArtifactIndex(paths)
    for path in ["data/train.csv", "data/*.csv", "data/a1.csv", "out/preds_2.csv", "out/*", "models/m.pt",
                 "models/*.pt", "*/meta.pkl", "*.csv", "other.txt", "data/?rain.csv", "[dm]*/*"]:
        assert index.matches(path) == any(same_artifact(path, p) for p in paths), path
