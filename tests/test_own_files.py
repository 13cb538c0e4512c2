"""A pickle, object array or checkpoint loaded from the path the same module writes is its own
cache: not reported (MLD401, MLD402, MLD403), while a load of any other file stays a warning (or,
for an explicit `weights_only=False`, an error) (`mldebt/extract/own_files.py`)."""

from __future__ import annotations

import pytest

from mldebt.rule import Invalid
from mldebt.testing import run_example

CACHE = """import os, pickle
def hypotheses(cfg, model):
    if os.path.exists(cfg.cache_file):
        with open(cfg.cache_file, 'rb') as f:
            return pickle.load(f)
    hyps = model.transcribe()
    with open(cfg.cache_file, 'wb') as out:
        pickle.dump(hyps, out)
    return hyps
"""
INDEX = """import pickle
def load_index(fn):
    idx_fn = fn + '.idx'
    with open(idx_fn + '.info', 'rb') as fp:
        return pickle.load(fp)
def build_index(fn, info):
    idx_fn = fn + '.idx'
    pickle.dump(info, open(idx_fn + '.info', 'wb'))
"""
NOTEBOOK_MODEL = """import joblib
joblib.dump(model, 'model.pkl')
restored = joblib.load('model.pkl')
"""
ARRAYS = """import numpy as np
def indices(doc_idx_filename, build):
    if build:
        np.save(doc_idx_filename, make(), allow_pickle=True)
    return np.load(doc_idx_filename, allow_pickle=True, mmap_mode='r')
"""
# A save/load helper pair: `load_pickle` loads whatever path its caller gives it.
HELPERS = """import pickle
def dump_pickle(obj, filename):
    with open(filename, 'wb') as f_out:
        return pickle.dump(obj, f_out)
def load_pickle(filename):
    with open(filename, 'rb') as f_in:
        return pickle.load(f_in)
"""
# The module writes one file and loads another.
OTHER_FILE = """import pickle
with open('features.pkl', 'wb') as f:
    pickle.dump(features, f)
with open(args.model, 'rb') as f:
    model = pickle.load(f)
"""
# One local name in two functions is two files.
TWO_FUNCTIONS = """import pickle
def load_token(name):
    fp = name + '.pkl'
    with open(fp, 'rb') as f:
        return pickle.load(f)
def save_audio(fp, data):
    with open(fp, 'wb') as f:
        f.write(data)
"""
# A path written as text elsewhere in the module but read with another expression.
SAME_HANDLE_NAME = """import pickle
with open(out_path, 'wb') as f:
    pickle.dump(x, f)
with open(in_path, 'rb') as f:
    y = pickle.load(f)
"""


def severities(rule: str, code: str) -> list[tuple[int, str]]:
    findings, diagnostics = run_example(rule, Invalid(code))
    assert not diagnostics
    return [(f.line, f.severity) for f in findings]


@pytest.mark.parametrize("code", [CACHE, INDEX, NOTEBOOK_MODEL])
def test_a_pickle_read_back_from_where_the_module_wrote_it_is_not_reported(code):
    assert severities("MLD401", code) == []


def test_an_object_array_read_back_from_where_the_module_saved_it_is_not_reported():
    assert severities("MLD403", ARRAYS) == []


@pytest.mark.parametrize(("code", "line"), [(HELPERS, 7), (OTHER_FILE, 5), (SAME_HANDLE_NAME, 5), (TWO_FUNCTIONS, 5)])
def test_a_pickle_from_anywhere_else_stays_a_warning(code, line):
    assert severities("MLD401", code) == [(line, "warning")]


def test_an_object_array_from_elsewhere_stays_a_warning():
    code = "import numpy as np\nnp.save('a.npy', x)\nb = np.load(args.features, allow_pickle=True)\n"
    assert severities("MLD403", code) == [(3, "warning")]


# A script that resumes from the checkpoint it saves, under a path built the same way.
RESUME = """import os, torch
def train(args, model):
    ckpt = os.path.join(args.out, 'last.pt')
    if os.path.exists(ckpt):
        model.load_state_dict(torch.load(ckpt))
    for epoch in range(3):
        torch.save(model.state_dict(), ckpt)
"""
# A cache of computed features, written through a handle and read back with weights_only=False.
FEATURE_CACHE = """import torch
def mels(self, path):
    cache = self.sup_dir / (path.stem + '.pt')
    if cache.exists():
        return torch.load(cache, weights_only=False)
    mel = self.compute(path)
    with open(cache, 'wb') as f:
        torch.save(mel, f)
    return mel
"""
# A lesson saving and reloading its weights by keyword (`torch.save(obj=..., f=PATH)`).
LESSON = """import torch
from pathlib import Path
MODEL_SAVE_PATH = Path("models") / "model_0.pth"
torch.save(obj=model.state_dict(), f=MODEL_SAVE_PATH)
loaded.load_state_dict(torch.load(f=MODEL_SAVE_PATH))
"""
# A name read from a manifest, then rebound to the cache's path: two files.
REBOUND = """import torch
def mel(self, sample, name):
    mel_path = sample['mel_filepath']
    if mel_path is not None and mel_path.exists():
        return torch.load(mel_path)
    mel_path = self.mel_folder / (name + '.pt')
    if mel_path.exists():
        return torch.load(mel_path)
    mel = self.compute(name)
    torch.save(mel, mel_path)
    return mel
"""
# Downloaded parts joined into one file: written by the module, made by someone else.
JOINED = """import torch
def weights(parts, weights_path):
    with open(weights_path, 'wb') as out:
        for part in parts:
            out.write(open(part, 'rb').read())
    return torch.load(weights_path, weights_only=False)
"""
# A converter that saves through one helper and reloads through another, both given args.output_path.
CONVERTER = """import torch
def convert(input_file, output_file):
    torch.save(build(input_file), output_file)
def replace_weights(weights_file, out_dir):
    state = torch.load(weights_file)
if __name__ == '__main__':
    args = get_args()
    convert(args.input, args.output_path)
    replace_weights(args.output_path, args.hf_dir)
"""
# The same helpers, the reload given the file the user names.
CONVERTER_OTHER_FILE = CONVERTER.replace("replace_weights(args.output_path", "replace_weights(args.weights")
# A checkpoint named by the user, in a module that saves another file.
USER_CHECKPOINT = """import torch
torch.save(model.state_dict(), 'out/model.pt')
state = torch.load(args.checkpoint)
"""
# The same local name in two functions: a save helper and a load helper are two files.
CHECKPOINT_HELPERS = """import torch
def save(model, path):
    torch.save(model.state_dict(), path)
def load(model, path):
    model.load_state_dict(torch.load(path, weights_only=False))
"""


@pytest.mark.parametrize("code", [RESUME, FEATURE_CACHE, LESSON, CONVERTER])
def test_a_checkpoint_read_back_from_where_the_module_saved_it_is_not_reported(code):
    assert severities("MLD402", code) == []


@pytest.mark.parametrize(("code", "line", "severity"), [
    (USER_CHECKPOINT, 3, "warning"), (CHECKPOINT_HELPERS, 5, "error"), (REBOUND, 5, "warning"), (JOINED, 6, "error"),
    (CONVERTER_OTHER_FILE, 5, "warning"),
])
def test_a_checkpoint_from_anywhere_else_keeps_its_severity(code, line, severity):
    assert severities("MLD402", code) == [(line, severity)]


def test_the_pass_over_the_module_leaves_names_imported_further_down_to_the_walk(tmp_path):
    """Deciding whether a load reads its own file takes a pass over the whole module; made in
    the middle of the walk, it resolved `AlbertTokenizer` before the walk saw its import in the
    function below, kept that answer, and MLD301 lost its finding there."""
    from mldebt.engine import scan

    code = (
        "import pickle\n"
        "def load(path):\n    with open(path, 'rb') as f:\n        return pickle.load(f)\n"
        "def tokenizer():\n    from transformers import AlbertTokenizer\n"
        "    return AlbertTokenizer.from_pretrained('albert-base-v2')\n"
    )
    (tmp_path / "data.py").write_text(code)
    found = {(f.rule, f.line) for f in scan(tmp_path, jobs=1).findings}
    assert {("MLD401", 4), ("MLD301", 7)} <= found


RETRY = """import sys, torch
def load_checkpoint(load_dir, iteration):
    checkpoint_name = get_checkpoint_name(load_dir, iteration)
    try:
        state_dict = torch.load(checkpoint_name, map_location='cpu')
    except ModuleNotFoundError:
        sys.modules['fp16.loss_scaler'] = sys.modules['megatron.fp16_deprecated.loss_scaler']
        state_dict = torch.load(checkpoint_name, map_location='cpu')
    return state_dict
"""
PICKLE_RETRY = """import pickle
def read(path):
    try:
        with open(path, 'rb') as f:
            return pickle.load(f)
    except ModuleNotFoundError:
        with open(path, 'rb') as f:
            return pickle.load(f)
"""
#: A restricted load first, then an unrestricted fallback: the fallback is the finding.
FALLBACK = """import torch
def load(path):
    try:
        return torch.load(path, weights_only=True)
    except Exception:
        return torch.load(path, weights_only=False)
"""
TWO_FILES = """import torch
def load(args):
    model = torch.load(args.model)
    teacher = torch.load(args.teacher)
    return model, teacher
"""


#: A benchmark's cells load one downloaded file on the CPU, then on the GPU.
TOP_LEVEL_TWICE = """import torch
from huggingface_hub import hf_hub_download
pt_filename = hf_hub_download("gpt2", filename="pytorch_model.bin")
weights = torch.load(pt_filename, map_location="cpu")
weights = torch.load(pt_filename, map_location="cuda:0")
"""
#: The same name bound to another file between the loads: two files.
TOP_LEVEL_REBOUND = """import torch
path = "teacher.pt"
teacher = torch.load(path)
path = "student.pt"
student = torch.load(path)
"""
#: A loop binds the name at each turn: each load may read another file.
TOP_LEVEL_LOOP = """import torch
for path in paths:
    a = torch.load(path)
b = torch.load(path, map_location="cpu")
"""


@pytest.mark.parametrize(("rule", "code", "expected"), [
    ("MLD402", TOP_LEVEL_TWICE, [(4, "warning")]),
    ("MLD402", TOP_LEVEL_REBOUND, [(3, "warning"), (5, "warning")]),
    ("MLD402", TOP_LEVEL_LOOP, [(3, "warning"), (4, "warning")]),
    ("MLD402", RETRY, [(5, "warning")]),
    ("MLD401", PICKLE_RETRY, [(5, "warning")]),
    ("MLD402", FALLBACK, [(6, "error")]),
    ("MLD402", TWO_FILES, [(3, "warning"), (4, "warning")]),
])
def test_a_second_load_of_one_file_in_one_def_is_the_same_finding(rule, code, expected):
    assert severities(rule, code) == expected


#: A load that leaves `weights_only` out, then a fallback that turns it off: two facts.
MISSING_THEN_FALSE = """import torch
def load(path):
    try:
        return torch.load(path, map_location='cpu')
    except Exception:
        return torch.load(path, map_location='cpu', weights_only=False)
"""


def test_an_explicit_weights_only_false_after_a_load_of_the_same_file_is_its_own_finding():
    assert severities("MLD402", MISSING_THEN_FALSE) == [(4, "warning"), (6, "error")]


#: A URL fetched in one branch, a local file loaded in the other: two loads, not one retried.
URL_OR_FILE = """import torch
from urllib.parse import urlparse
def load_pretrained(model, weights):
    if urlparse(weights).scheme:
        sd = torch.hub.load_state_dict_from_url(weights, map_location='cpu')
    else:
        sd = torch.load(weights, map_location='cpu')
    model.load_state_dict(sd)
"""


def test_a_url_fetch_and_a_file_load_of_one_argument_are_two_findings():
    assert severities("MLD402", URL_OR_FILE) == [(5, "warning"), (7, "warning")]


#: Kubeflow lightweight components: files handed from step to step (kubeflow/examples).
ANNOTATED_STEP = """import pickle
import kfp.components as comp
def train(path: str, features_path: comp.InputPath(), model_path: comp.OutputPath()):
    X = pickle.load(open(features_path, 'rb'))
    extra = pickle.load(open(path, 'rb'))
"""
V2_STEP = """import pickle
from kfp.dsl import Dataset, Input, component
@component
def train(features: Input[Dataset], other: str):
    with open(features.path, 'rb') as f:
        X = pickle.load(f)
    Y = pickle.load(open(other, 'rb'))
"""
WIRED_STEPS = """import os, joblib
from kfp.components import func_to_container_op
from kfp import components, dsl
def evaluate(log_folder: str, model_folder: str, user_file: str):
    model = joblib.load(os.path.join(model_folder, 'model.pkl'))
    vocab = joblib.load(user_file)
    def predict():
        return joblib.load(os.path.join(model_folder, 'model.pkl'))
    serve(predict)
@dsl.pipeline(name='p')
def pipeline(user_file: str):
    evaluate_op = func_to_container_op(func=evaluate, base_image='python:3.11')
    train_op = components.load_component_from_file('train/component.yaml')
    train_task = train_op('/data')
    evaluate_op('/data', train_task.outputs['model'], user_file)
"""


@pytest.mark.parametrize(("code", "lines"), [(ANNOTATED_STEP, [5]), (V2_STEP, [7]), (WIRED_STEPS, [6, 8])])
def test_a_file_a_pipeline_hands_its_step_is_the_pipelines_own_and_any_other_is_reported(code, lines):
    """A parameter annotated as an upstream artifact's path, or one the pipeline passes another
    task's output, read in the step's body, is a hand-off; a plain parameter the user fills is
    a file from outside, and a service's route the step starts loads on every request."""
    assert severities("MLD401", code) == [(line, "warning") for line in lines]


def test_an_output_that_no_step_made_is_no_hand_off():
    """`args.output` passed to a step is a path the user gives, not another task's output."""
    user_path = WIRED_STEPS.replace("train_task.outputs['model']", "args.output")
    assert severities("MLD401", user_path) == [(5, "warning"), (6, "warning"), (8, "warning")]


def test_a_function_that_is_no_pipeline_step_keeps_its_parameters_outside():
    not_a_step = WIRED_STEPS.replace("func_to_container_op(func=evaluate, base_image='python:3.11')", "make_op(evaluate)")
    assert severities("MLD401", not_a_step) == [(5, "warning"), (6, "warning"), (8, "warning")]
