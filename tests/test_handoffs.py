"""A load of a file another script of the repository writes is the hand-off between two steps
of one pipeline, and a file the repository commits is its own: neither is reported (MLD401,
MLD402, MLD403). Without strict evidence (the same file under a folder both sides take from the
same place) a load keeps its severity (`mldebt/project/handoffs.py`)."""

from __future__ import annotations

import pytest

from mldebt.rule import Invalid
from mldebt.testing import run_example

PREPROCESS = """import os, pickle, click
def dump_pickle(obj, filename):
    with open(filename, "wb") as f_out:
        return pickle.dump(obj, f_out)
@click.command()
@click.option("--dest_path")
def run(dest_path):
    dump_pickle(dv, os.path.join(dest_path, "dv.pkl"))
    dump_pickle((X_train, y_train), os.path.join(dest_path, "train.pkl"))
    dump_pickle((X_val, y_val), os.path.join(dest_path, "val.pkl"))
"""
TRAIN = """import os, pickle, click
def load_pickle(filename):
    with open(filename, "rb") as f_in:
        return pickle.load(f_in)
@click.command()
@click.option("--data_path", default="./output")
def run(data_path):
    X_train, y_train = load_pickle(os.path.join(data_path, "train.pkl"))
    X_val, y_val = load_pickle(os.path.join(data_path, "val.pkl"))
"""
SAVE_MODEL = "import os, joblib\njoblib.dump(model, os.path.join(args.model_dir, 'model.joblib'))\n"
LOAD_MODEL = "import os, joblib\nmodel = joblib.load(os.path.join(args.model_dir, 'model.joblib'))\n"


def severities(rule: str, path: str, code: str, files: dict[str, str]) -> list[str]:
    findings, diagnostics = run_example(rule, Invalid(code, path=path, files=files))
    assert not diagnostics
    return [f.severity for f in findings]


def test_a_homework_script_reading_what_its_preprocess_script_wrote_is_not_reported():
    """Both folders are command-line values; the reader takes two files from its folder and the
    sibling writes both into one folder: the layout is the evidence, through both helpers."""
    assert severities("MLD401", "hw/train.py", TRAIN, {"hw/preprocess_data.py": PREPROCESS}) == []


def test_a_model_read_from_the_folder_option_its_training_script_writes_to_is_not_reported():
    assert severities("MLD401", "app/predict.py", LOAD_MODEL, {"app/train.py": SAVE_MODEL}) == []


def test_a_checkpoint_a_sibling_saves_at_the_same_literal_path_is_not_reported():
    prepare = "import torch\ntorch.save(features, 'data/processed/features.pt')\n"
    train = "import torch\nfeatures = torch.load('data/processed/features.pt')\n"
    assert severities("MLD402", "train.py", train, {"prepare.py": prepare}) == []


def test_an_object_array_a_sibling_saves_is_not_reported():
    build = "import numpy as np\nnp.save('cache/index.npy', index, allow_pickle=True)\n"
    use = "import numpy as np\nindex = np.load('cache/index.npy', allow_pickle=True)\n"
    assert severities("MLD403", "src/use.py", use, {"src/build.py": build}) == []


def test_a_model_committed_beside_the_service_that_loads_it_is_not_reported():
    service = "import pickle\nwith open('lin_reg.bin', 'rb') as f_in:\n    dv, model = pickle.load(f_in)\n"
    assert severities("MLD401", "web-service/predict.py", service, {"web-service/lin_reg.bin": "x"}) == []
    # Named by an environment variable, it may be any file.
    env = "import os, pickle\nwith open(os.getenv('MODEL_FILE', 'lin_reg.bin'), 'rb') as f_in:\n    model = pickle.load(f_in)\n"
    assert severities("MLD401", "web-service/predict.py", env, {"web-service/lin_reg.bin": "x"}) == ["warning"]


@pytest.mark.parametrize(
    ("path", "code", "files"),
    [
        # One shared base name under folders from different places is not evidence.
        ("app/predict.py", "import os, joblib\nm = joblib.load(os.path.join(args.checkpoint, 'model.joblib'))\n",
         {"app/train.py": SAVE_MODEL}),
        # The reader takes a file the sibling never writes: not the sibling's folder.
        ("hw/train.py", TRAIN.replace('"val.pkl"', '"extra.pkl"'), {"hw/preprocess_data.py": PREPROCESS}),
        # The same helper also loads a path the user names.
        ("hw/train.py", TRAIN + "    model = load_pickle(args.model)\n", {"hw/preprocess_data.py": PREPROCESS}),
        # The folder is what a download returned, even if the sibling's files went up there.
        ("hw/train.py", TRAIN.replace("def run(data_path):", "def run(name):\n    data_path = wandb.use_artifact(name).download()"),
         {"hw/preprocess_data.py": PREPROCESS}),
        # The user names the file.
        ("hw/train.py", "import pickle\nwith open(args.model, 'rb') as f:\n    m = pickle.load(f)\n",
         {"hw/preprocess_data.py": PREPROCESS}),
        # Two independent examples of a collection that both use `model.pkl`.
        ("a/use.py", "import joblib\nm = joblib.load('model.pkl')\n", {"b/make.py": "import joblib\njoblib.dump(m, 'model.pkl')\n"}),
        # A file nothing in the repository writes.
        ("train.py", "import torch\nsd = torch.load('weights/pretrained.pt')\n", {"prepare.py": "import torch\ntorch.save(x, 'data/x.pt')\n"}),
    ],
)
def test_a_load_without_that_evidence_keeps_its_severity(path, code, files):
    found = severities("MLD402" if "torch" in code else "MLD401", path, code, files)
    assert found and set(found) == {"warning"}
