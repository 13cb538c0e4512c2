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


def test_two_importers_of_one_helper_are_not_one_project_but_each_belongs_with_it():
    # A course: a script and notebooks import the course's helper modules (no package).
    project = _project({
        "going_modular/engine.py": Facts(imports=_imports("utils")),
        "going_modular/utils.py": Facts(),
        "going_modular/train.py": Facts(imports=_imports("engine")),
        "08_replicating.ipynb": Facts(imports=_imports("going_modular.engine")),
        "scripts/a.py": Facts(imports=_imports("common")),
        "scripts/b.py": Facts(imports=_imports("common")),
        "scripts/common.py": Facts(),
    })
    assert project.same_project("08_replicating.ipynb", "going_modular/engine.py")
    assert project.same_project("going_modular/train.py", "going_modular/engine.py")
    # Imports are followed through: the script reaches what its helper imports.
    assert project.same_project("going_modular/train.py", "going_modular/utils.py")
    assert project.same_project("08_replicating.ipynb", "going_modular/utils.py")
    assert not project.same_project("08_replicating.ipynb", "going_modular/train.py")
    assert not project.same_project("scripts/a.py", "scripts/b.py")
    assert project.same_project("scripts/a.py", "scripts/common.py")
    # The codebase (device handling) is everything linked by joining imports, either way.
    assert project.project_members("scripts/a.py") == ["scripts/a.py", "scripts/b.py", "scripts/common.py"]
    assert project.project_members("08_replicating.ipynb") == ["08_replicating.ipynb"]


def test_modules_of_one_package_and_scripts_of_one_config_stay_one_project_whatever_they_import():
    read = DataAccess("read", "configs/train.yaml", 1, 0, "yaml.safe_load")
    project = _project({
        "pkg/__init__.py": Facts(),
        "pkg/model.py": Facts(imports=_imports("helpers")),
        "pkg/data.py": Facts(imports=_imports("helpers")),
        "helpers.py": Facts(),
        "train.py": Facts(data_access=[read], imports=_imports("helpers")),
        "sweep.py": Facts(data_access=[read], imports=_imports("helpers")),
    }, present=("configs/train.yaml",))
    assert project.same_project("pkg/model.py", "pkg/data.py")
    assert project.same_project("train.py", "sweep.py")
    assert not project.same_project("train.py", "pkg/model.py")


def test_hyperparameters_of_a_library_are_its_drivers_configuration_not_its_tutorials():
    project = _project({
        "src/cls/__init__.py": Facts(),
        "src/cls/train.py": Facts(),
        "finetune.py": Facts(imports=_imports("cls.train")),
        "tutorials/demo.ipynb": Facts(imports=_imports("cls.train")),
        "tools/__init__.py": Facts(),
        "tools/bench.py": Facts(imports=_imports("cls.train")),
    })
    for user in ("finetune.py", "tutorials/demo.ipynb", "tools/bench.py"):
        assert project.same_project(user, "src/cls/train.py")
    # A script outside packages drives the package: its values and the package's are one configuration.
    assert project.same_configuration("finetune.py", "src/cls/train.py")
    # A tutorial notebook, or another package built on it, keeps its own values.
    assert not project.same_configuration("tutorials/demo.ipynb", "src/cls/train.py")
    assert not project.same_configuration("tools/bench.py", "src/cls/train.py")
    assert project.project_members("finetune.py") == ["finetune.py"]
