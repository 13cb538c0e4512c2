"""no-cuda-build-for-pin judges a torch pin against the CUDA version that selects its build or
that code is compiled against with it, not against any CUDA the image happens to carry: a torch
wheel from PyPI brings its own CUDA runtime, which runs on another image's CUDA given a new
enough driver (panel: text-generation-inference, torch 2.6 on a CUDA 12.8 runtime image)."""

from conftest import write_tree

DIGEST = "@sha256:" + "0" * 64
INSTALL = "COPY requirements.txt .\nRUN pip install -r requirements.txt\n"


def _findings(scan_json, tmp_path, files):
    write_tree(tmp_path, files)
    _, document = scan_json(tmp_path, "--select", "MLD605", "--no-cache")
    return [(f["path"], f["line"]) for f in document["findings"]]


def test_a_pypi_wheel_on_an_image_of_another_cuda_is_not_judged(scan_json, tmp_path):
    assert _findings(scan_json, tmp_path, {
        "Dockerfile": f"FROM nvidia/cuda:12.8.0-cudnn-runtime-ubuntu24.04{DIGEST}\n{INSTALL}",
        "requirements.txt": "transformers==4.49\ntorch==2.6.0\n",
    }) == []


def test_a_devel_stage_that_builds_no_cuda_code_against_torch_is_not_judged(scan_json, tmp_path):
    """A C++ tool compiled with CMake in a -devel stage; torch installed in the runtime stage."""
    assert _findings(scan_json, tmp_path, {
        "Dockerfile": f"FROM nvidia/cuda:12.8.0-devel-ubuntu24.04{DIGEST} AS build\n"
                      "RUN cmake -B build -DGGML_CUDA=ON && cmake --build build\n"
                      f"FROM nvidia/cuda:12.8.0-runtime-ubuntu24.04{DIGEST}\n{INSTALL}",
        "requirements.txt": "torch==2.6.0\n",
    }) == []


def test_a_conda_toolkit_does_not_choose_pips_torch(scan_json, tmp_path):
    environment = "dependencies:\n  - cudatoolkit=12.8\n  - pip\n  - pip:\n    - torch==2.6.0\n"
    assert _findings(scan_json, tmp_path, {"environment.yml": environment}) == []


def test_a_devel_stage_compiling_an_extension_against_torch_is_judged(scan_json, tmp_path):
    assert _findings(scan_json, tmp_path, {
        "Dockerfile": f"FROM nvidia/cuda:12.8.0-devel-ubuntu24.04{DIGEST}\n{INSTALL}"
                      "ENV TORCH_CUDA_ARCH_LIST=\"8.0 9.0\"\nRUN pip install --no-build-isolation flash-attn\n",
        "requirements.txt": "torch==2.6.0\n",
    }) == [("requirements.txt", 1)]


def test_a_build_the_environment_selects_is_judged(scan_json, tmp_path):
    """A pytorch.org index for a CUDA the release has no wheels for, and conda's pytorch-cuda."""
    index = "--extra-index-url https://download.pytorch.org/whl/cu128\ntorch==2.6.0\n"
    assert _findings(scan_json, tmp_path / "pip", {"requirements.txt": index}) == [("requirements.txt", 2)]
    conda = "dependencies:\n  - pytorch=2.6.0\n  - pytorch-cuda=12.8\n"
    assert _findings(scan_json, tmp_path / "conda", {"environment.yml": conda}) == [("environment.yml", 2)]


def test_a_prebuilt_flash_attn_wheel_compiles_nothing(scan_json, tmp_path):
    wheel = "https://example.org/flash_attn-2.7.4+cu12torch2.6-cp311-cp311-linux_x86_64.whl"
    assert _findings(scan_json, tmp_path, {
        "Dockerfile": f"FROM nvidia/cuda:12.8.0-devel-ubuntu24.04{DIGEST}\n{INSTALL}RUN pip install {wheel}\n",
        "requirements.txt": "torch==2.6.0\n",
    }) == []


def test_a_build_argument_above_the_first_stage_names_its_toolkit(scan_json, tmp_path):
    """`ARG CUDA_VERSION` before `FROM` parameterises the image the extension is compiled on."""
    assert _findings(scan_json, tmp_path, {
        "Dockerfile": "ARG CUDA_VERSION=12.8.0\nARG CUDNN\n"
                      "FROM nvidia/cuda:${CUDA_VERSION}-cudnn${CUDNN}-devel-ubuntu24.04\n"
                      f"{INSTALL}ENV TORCH_CUDA_ARCH_LIST=9.0\nRUN pip install --no-build-isolation -e .\n",
        "requirements.txt": "torch==2.6.0\n",
    }) == [("requirements.txt", 1)]
