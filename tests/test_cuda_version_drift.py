"""cuda-version-drift reports one disagreement once: a file pinning ten CUDA-12 wheels made one
decision, and its drift against another version is one finding, not ten, nor one more at the
other side (panel: NeMo). The sides compared are choices of one CUDA stack: a runtime pip
bundles against another, or against a toolkit code is compiled against (a `-devel` image that
builds an extension)."""

from conftest import write_tree

ENVIRONMENT = "dependencies:\n  - pip:\n    - torch==2.4.1+cu118\n" + "".join(
    f"    - nvidia-{lib}-cu12==12.1.105\n" for lib in ("cublas", "cudnn", "cufft", "curand", "nccl")
)
DIGEST = "@sha256:" + "0" * 64
INSTALL = "RUN pip install -r requirements.txt\nRUN pip install --no-build-isolation flash-attn\n"


def _drift(scan_json, tmp_path, files):
    write_tree(tmp_path, files)
    _, document = scan_json(tmp_path, "--select", "MLD604", "--no-cache")
    return document["findings"]


def test_a_disagreement_is_reported_once_at_the_first_site(scan_json, tmp_path):
    findings = _drift(scan_json, tmp_path, {"environment.yml": ENVIRONMENT})
    assert [(f["path"], f["line"]) for f in findings] == [("environment.yml", 3)]


def test_the_finding_names_the_other_side_once(scan_json, tmp_path):
    (toolkit,) = _drift(scan_json, tmp_path, {"environment.yml": ENVIRONMENT})
    assert toolkit["message"].count("environment.yml:") == 1, toolkit["message"]
    assert "12 (nvidia-cublas-cu12) at environment.yml:4" in toolkit["message"]


def test_bundled_runtimes_beside_an_unused_toolkit_do_not_drift(scan_json, tmp_path):
    """A conda toolkit beside pip wheels that bring their own CUDA runtime, and a runtime image
    under a pip torch build: each process loads the bundled runtime, nothing compiles against
    the toolkit."""
    conda = "dependencies:\n  - cudatoolkit=11.8\n  - pip:\n    - nvidia-cublas-cu12==12.1.3.1\n"
    assert _drift(scan_json, tmp_path, {"environment.yml": conda}) == []
    image = f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{DIGEST}\nRUN pip install -r requirements.txt\n"
    assert _drift(scan_json, tmp_path, {"Dockerfile": image, "requirements.txt": "torch==2.4.1+cu118\n"}) == []


def test_a_site_agreeing_with_the_reported_one_is_not_a_second_finding(scan_json, tmp_path):
    """12.1 in two Dockerfiles, 11.8 in the requirements both install: fixing the requirements
    settles it, so one finding names the odd site, and the second image is not a second one."""
    findings = _drift(scan_json, tmp_path, {
        "Dockerfile": f"FROM nvidia/cuda:12.1.0-devel-ubuntu22.04{DIGEST}\n{INSTALL}",
        "requirements.txt": "torch==2.4.1+cu118\n",
        "train/Dockerfile": f"FROM nvidia/cuda:12.1.1-devel-ubuntu22.04{DIGEST}\n{INSTALL}",
    })
    assert [(f["path"], f["line"]) for f in findings] == [("Dockerfile", 1)]
    assert "requirements.txt:1" in findings[0]["message"]


def test_two_disagreements_are_two_findings(scan_json, tmp_path):
    """11.8, 12.1 and 12.4 in three files of one environment (both images install the
    requirements): each pair is a choice to settle; no site is reported twice for the same
    other version."""
    findings = _drift(scan_json, tmp_path, {
        "Dockerfile": f"FROM nvidia/cuda:12.1.0-devel-ubuntu22.04{DIGEST}\n{INSTALL}",
        "requirements.txt": "torch==2.4.1+cu118\n",
        "serve/Dockerfile": f"FROM nvidia/cuda:12.4.1-devel-ubuntu22.04{DIGEST}\n{INSTALL}",
    })
    sites = [(f["path"], f["line"]) for f in findings]
    assert sites == [("Dockerfile", 1), ("requirements.txt", 1)], sites
    assert "12.4" in findings[1]["message"] and "12.1" not in findings[1]["message"]


def test_the_other_sites_of_the_reported_side_are_named_not_reported(scan_json, tmp_path):
    """11.8 in the CI image and the requirements, 12.1 in the Dockerfile, all three around one
    requirements file: one finding, at the first site, that names the requirements as its side
    and the Dockerfile as the other."""
    findings = _drift(scan_json, tmp_path, {
        ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                                    "    container: pytorch/pytorch:2.1.2-cuda11.8-cudnn8-runtime\n"
                                    "    steps:\n      - run: pip install -r requirements.txt\n",
        "Dockerfile": f"FROM nvidia/cuda:12.1.0-devel-ubuntu22.04{DIGEST}\n{INSTALL}",
        "requirements.txt": "torch==2.4.1+cu118\n",
    })
    assert [(f["path"], f["line"]) for f in findings] == [(".github/workflows/ci.yml", 5)], findings
    assert "image), also at requirements.txt:1, disagrees with 12.1" in findings[0]["message"]
    assert {(r["path"], r["line"]) for r in findings[0]["related"]} == {("Dockerfile", 1), ("requirements.txt", 1)}


def test_images_nothing_links_do_not_drift(scan_json, tmp_path):
    """Two Dockerfiles of one tree and a requirements file none of them installs (OLMo: a
    vendored benchmark's image against the cluster image) are three environments."""
    findings = _drift(scan_json, tmp_path, {
        "inference/bench/Dockerfile": f"FROM nvidia/cuda:11.5.0-devel-ubuntu20.04{DIGEST}\n",
        "scripts/cluster/Dockerfile": f"FROM nvidia/cuda:12.1.0-devel-ubuntu22.04{DIGEST}\n",
        "inference/requirements.txt": "torch==2.4.1+cu118\n",
    })
    assert findings == []
