"""cuda-version-drift reports one CUDA choice once: a file pinning ten CUDA-12 wheels made one
decision, and its drift against another version is one finding, not ten (panel: NeMo)."""

from conftest import write_tree

ENVIRONMENT = "dependencies:\n  - cudatoolkit=11.8\n  - pip:\n" + "".join(
    f"    - nvidia-{lib}-cu12==12.1.105\n" for lib in ("cublas", "cudnn", "cufft", "curand", "nccl")
)


def _drift(scan_json, tmp_path):
    write_tree(tmp_path, {"environment.yml": ENVIRONMENT})
    _, document = scan_json(tmp_path, "--select", "MLD604", "--no-cache")
    return [(f["path"], f["line"]) for f in document["findings"]]


def test_each_disagreeing_choice_is_reported_once_at_its_first_line(scan_json, tmp_path):
    assert _drift(scan_json, tmp_path) == [("environment.yml", 2), ("environment.yml", 4)]


def test_a_choice_names_each_disagreeing_choice_once(scan_json, tmp_path):
    write_tree(tmp_path, {"environment.yml": ENVIRONMENT})
    _, document = scan_json(tmp_path, "--select", "MLD604", "--no-cache")
    toolkit = next(f for f in document["findings"] if f["line"] == 2)
    assert toolkit["message"].count("environment.yml:") == 1, toolkit["message"]
