"""Which files belong to one project: evidence (imports, a package, a config, a pipeline),
never a shared folder."""

from __future__ import annotations

from mldebt.discover import FileKind
from mldebt.extract.facts import ConfigKey, DataAccess, Facts, ImportSite, PipelineStage
from mldebt.project import Project


def _imports(*modules: str) -> list[ImportSite]:
    return [ImportSite(module, 1) for module in modules]


def _project(files: dict[str, Facts], present: tuple[str, ...] = ()) -> Project:
    kinds = {".py": FileKind.PYTHON, ".ipynb": FileKind.NOTEBOOK}
    return Project(
        files={path: (kinds.get(path[path.rfind("."):], FileKind.CONFIG), facts) for path, facts in files.items()},
        present=frozenset(files) | frozenset(present),
    )


def test_scripts_that_share_a_folder_are_independent():
    project = _project({"rl/actor_critic.py": Facts(), "rl/reinforce.py": Facts(), "mnist/main.py": Facts()})
    assert not project.same_project("rl/actor_critic.py", "rl/reinforce.py")
    assert not project.same_project("rl/actor_critic.py", "mnist/main.py")
    assert project.project_members("rl/reinforce.py") == ["rl/reinforce.py"]


def test_an_import_joins_importer_and_imported_from_the_importers_folder_first():
    project = _project({
        "mnist/main.py": Facts(imports=_imports("model", "torch")),
        "mnist/model.py": Facts(),
        "vae/main.py": Facts(imports=_imports("model")),
        "vae/model.py": Facts(),
    })
    assert project.same_project("mnist/main.py", "mnist/model.py")
    assert project.same_project("vae/main.py", "vae/model.py")
    assert not project.same_project("mnist/main.py", "vae/main.py")


def test_a_script_importing_a_src_layout_package_or_a_relative_module():
    project = _project({
        "scripts/train.py": Facts(imports=_imports("cls.model", "cls")),
        "src/cls/__init__.py": Facts(),
        "src/cls/model.py": Facts(imports=_imports(".layers")),
        "src/cls/layers.py": Facts(),
        "src/cls/data.py": Facts(),
    })
    assert project.module_file("scripts/train.py", "cls.model") == "src/cls/model.py"
    assert project.module_file("src/cls/model.py", ".layers") == "src/cls/layers.py"
    assert project.module_file("src/cls/model.py", "...too.far") is None
    # Modules of one package belong together even when neither imports the other.
    assert project.same_project("scripts/train.py", "src/cls/data.py")


def test_examples_that_import_the_repositorys_library_are_not_one_project():
    project = _project({
        "src/peft/__init__.py": Facts(),
        "src/peft/tuners.py": Facts(),
        "examples/lora/train.py": Facts(imports=_imports("peft", "peft.tuners")),
        "examples/dora/train.py": Facts(imports=_imports("peft")),
    })
    assert project.same_project("examples/lora/train.py", "src/peft/tuners.py")
    assert not project.same_project("examples/lora/train.py", "examples/dora/train.py")
    assert project.project_members("examples/lora/train.py") == ["examples/lora/train.py"]


def test_notebooks_that_import_one_helper_module_are_not_one_project():
    project = _project({
        "helper_functions.py": Facts(),
        "01_workflow.ipynb": Facts(imports=_imports("helper_functions")),
        "02_classification.ipynb": Facts(imports=_imports("helper_functions")),
    })
    assert project.same_project("01_workflow.ipynb", "helper_functions.py")
    assert not project.same_project("01_workflow.ipynb", "02_classification.ipynb")


def test_a_name_found_off_the_import_path_joins_nothing():
    project = _project({
        "a/train.py": Facts(imports=_imports("helpers")),
        "b/helpers.py": Facts(),
        "c/helpers.py": Facts(),
        "d/train.py": Facts(imports=_imports("unique_name")),
        "e/lib/unique_name.py": Facts(),
    })
    assert project.module_file("a/train.py", "helpers") is None
    # Not on the import path: a third-party module of that name, not this file.
    assert project.module_file("d/train.py", "unique_name") is None


def test_one_config_file_or_one_pipeline_joins_scripts():
    read = DataAccess("read", "configs/train.yaml", 1, 0, "yaml.safe_load")
    project = _project({
        "train.py": Facts(data_access=[read]),
        "tools/sweep.py": Facts(data_access=[read]),
        "prep.py": Facts(),
        "fit.py": Facts(),
        "dvc.yaml": Facts(pipeline_stages=[PipelineStage("prep", ("prep.py",), (), (), 1),
                                           PipelineStage("fit", ("fit.py",), (), (), 4)]),
    }, present=("configs/train.yaml",))
    assert project.same_project("train.py", "tools/sweep.py")
    assert project.same_project("prep.py", "fit.py")
    assert not project.same_project("train.py", "prep.py")


def test_a_config_that_names_modules_joins_them():
    project = _project({
        "configs/model.yaml": Facts(config_keys=[ConfigKey("model.target", "target", 2, None, "ldm.models.ddpm.Diffusion"),
                                                 ConfigKey("cond.target", "target", 5, None, "ldm.encoders.CLIPEmbedder")]),
        "ldm/models/ddpm.py": Facts(),
        "ldm/encoders.py": Facts(),
        "ldm/unrelated.py": Facts(),
    })
    assert project.same_project("ldm/models/ddpm.py", "ldm/encoders.py")
    assert not project.same_project("ldm/models/ddpm.py", "ldm/unrelated.py")
