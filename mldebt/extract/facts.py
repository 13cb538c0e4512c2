"""Facts: what the file phase learns about each file, as plain picklable data.

The cross-file phase (project rules) works on these alone, never re-parsing a file. Lines in
facts are the file's own lines (for notebooks, lines of the virtual module; the engine maps
them to cells when it reports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_URI = re.compile(r"^[a-z][a-z0-9+.-]*://")


def is_uri(path: str) -> bool:
    """`s3://b/k`, `hf://org/m`: a location outside the repository, not a local path."""
    return bool(_URI.match(path))


@dataclass(frozen=True)
class Requirement:
    """One dependency declared somewhere: requirements, pyproject, setup, conda, Docker, CI."""

    name: str  # canonical: lower case, `-` separated; conda names as written
    specifier: str  # PEP 440 specifier set as written, '' when absent
    line: int
    source: str  # pip | conda
    extras: tuple[str, ...] = ()
    local_version: str | None = None  # `cu121` in `torch==2.1.0+cu121`
    text: str = ""
    url: str | None = None  # a direct reference: `name @ git+https://...@rev`


@dataclass(frozen=True)
class NotebookInstall:
    """A package a notebook installs (`!pip install ...`), as pip receives it, and what the
    command line says around it."""

    requirement: Requirement
    #: `>=3.3.2` of an unquoted `!pip install pkg>=3.3.2`: the shell takes it as a redirect,
    #: and pip gets `pkg` with no version.
    redirect: str = ""
    #: `--pre`, or an index of nightly builds: whatever was built that day.
    prerelease: bool = False
    #: Modules whose `__version__` the block around the install checks (`try: assert
    #: torch.__version__ >= ...` / `except: !pip install -U torch`): a floor stated in code.
    version_checked: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexUrl:
    url: str
    line: int


@dataclass(frozen=True)
class Image:
    """A container image reference (`FROM`, a CI `container:`/`image:`)."""

    reference: str
    name: str
    tag: str | None
    digest: str | None
    line: int


@dataclass(frozen=True)
class RequirementFile:
    """`-r requirements.txt` in an install command: the file as written, the line, and whether
    the command replaces what is installed already (`--upgrade`, `--force-reinstall`)."""

    path: str
    line: int
    upgrade: bool = False


@dataclass(frozen=True)
class CudaVersion:
    """A CUDA version a file selects: `12.1`, or just the major (`12`) when that is all it says."""

    version: str
    line: int
    evidence: str  # what said so, for messages: "torch +cu121", "nvidia/cuda:12.1.0 image"
    #: How it selects: "variant" (pip's build of a framework: `+cu121`, a `whl/cu121` index),
    #: "conda-variant" (conda's build of pytorch: `pytorch-cuda=`), "conda" (a conda
    #: environment's toolkit: `cudatoolkit=`, `cuda-version=`), "wheels" (pip packages bundling
    #: a CUDA runtime: `nvidia-*-cu12`, `jax[cuda12]`), "toolkit" (an image's CUDA, `ENV CUDA_VERSION`).
    kind: str = "toolkit"
    #: A toolkit that code is compiled against: its Dockerfile stage is a `-devel` image that
    #: builds CUDA code (`nvcc`, `TORCH_CUDA_ARCH_LIST`, `flash-attn`, `--no-build-isolation`).
    compiled: bool = False


@dataclass(frozen=True)
class Site:
    """A place in a Python file (virtual lines for notebooks), 1-based lines, 0-based columns."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class CheckpointLoad:
    """A `torch.load`-like call that may unpickle arbitrary objects: `explicit` when the code
    says `weights_only=False`, else it leaves the choice to the torch version's default.
    `own_file` when it reads back the path the same module saves to (`mldebt.extract.own_files`)."""

    site: Site
    message: str
    hint: str
    explicit: bool
    own_file: bool = False


@dataclass(frozen=True)
class ConfigKey:
    """A key of an experiment config file: `train.lr` (dotted path), `lr` (its name), and
    its value when it is a number (`repr` of the float), for comparison with code literals.
    `aliased` when its value carries a YAML anchor that aliases elsewhere in the file reuse
    (`final_dim: &final_dim 256` ... `proj_dim: *final_dim`): the file itself reads it."""

    path: str
    name: str
    line: int
    value: str | None = None
    text: str | None = None  # the value when it is a string (a path a script may read)
    aliased: bool = False


@dataclass(frozen=True)
class HyperparameterSite:
    """A hyperparameter hard-coded in Python: an ML API argument, a module-level constant or
    an epoch loop bound. `name` is canonical (`learning_rate`), `written` as in the code (`lr`),
    `value` a `repr` of the evaluated literal, `source` the call (`torch.optim.AdamW`),
    `constant` or `loop`."""

    name: str
    written: str
    value: str
    line: int
    column: int
    end_line: int
    end_column: int
    source: str
    location: str = ""  # `path:line` (with the cell for notebooks), for other findings to name
    #: Whether `source` is an ML API the knowledge table lists (else a call whose keyword is
    #: named like a hyperparameter, a constant flowing into an ML library, a threshold).
    known: bool = True
    #: The value as written when it is not a plain literal (`(beta1, 0.999)`, `0.65 if coco
    #: else 0.6`, or the assigned literal when the value reaches `source` through a name).
    code: str = ""
    #: The variable the literal reaches `source` through (`lr` in `lr = 3e-3; AdamW(p, lr=lr)`),
    #: and whether it is a module-level name (a configurator may override those).
    via: str = ""
    via_global: bool = False
    #: The dict of hyperparameters the site belongs to (numbered from 1 per file; 0 for none):
    #: its values are reported together.
    grouped: int = 0
    #: The value is part of configuration kept in one place: a settings block (consecutive
    #: `name = literal` statements naming two hyperparameters or more: `lr = 1e-3`,
    #: `num_epochs = 5`), or a dict of defaults that the caller's values update
    #: (`defaults = {"lr": 1e-3, ...}; defaults.update(flags)`).
    in_settings: bool = False
    #: The value is an argument of a call that builds a config object (`GRPOConfig(lr=1e-5)`,
    #: `TrainingArguments(...)`: a class named like a config).
    in_config_call: bool = False
    #: The attributes the call's other arguments read (`output_dir` of `output_dir=args.output_dir`):
    #: a literal beside command-line values in one config object hides from the command line.
    config_call_reads: tuple[str, ...] = ()
    #: The value is an argument of a call that is also given a config file: an explicit
    #: override of it (`prepare_hparams("sli_rec.yaml", batch_size=400)`).
    overrides_config: bool = False
    #: The code around the value evaluates (disables gradients or calls `model.eval()`) and
    #: does not train (`evaluation` in `rules/knowledge/hyperparameters.yaml`).
    evaluating: bool = False
    #: The function holding the value, or another method of its class, passes hyperparameters
    #: read from configuration (`lr=self.hparams.lr`, `cfg["epochs"]`, one of its parameters):
    #: the literal hides from the configuration its neighbours come from.
    beside_configuration: bool = False


@dataclass(frozen=True)
class FlagDefinition:
    """A module-level boolean switch: `USE_MIXUP = False`."""

    name: str
    value: bool
    line: int


@dataclass(frozen=True)
class FlagGuard:
    """A branch that runs only for one value of a module-level flag.

    `module` is where the flag is defined as the code sees it: '' for this file, else the
    imported module (`from exp.flags import USE_MIXUP` -> `exp.flags`).
    """

    name: str
    module: str
    runs_when: bool  # the branch at `line` runs when the flag has this value
    line: int
    column: int


@dataclass(frozen=True)
class Definition:
    """A module-level function or class named like an experiment (`collectors.EXPERIMENT_NAME`)."""

    name: str
    line: int
    column: int
    decorated: bool


@dataclass(frozen=True)
class CliOption:
    """A command-line option: its destination name and where it is declared. `flag` is the
    argparse spelling (`--use-amp`); '' for a click/typer parameter its command never uses."""

    dest: str
    flag: str
    line: int
    column: int


#: The `api` of a notebook's `!wget`/`!curl` download: a write of a file fetched from outside,
#: which versions nothing and hands over nothing a script of the repository made.
DOWNLOAD_API = "!download"


@dataclass(frozen=True)
class DataAccess:
    """A read or write of a data or model artifact whose path is (partly) known statically:
    `path` is the path or URI as written, with `*` for the parts computed at run time.

    `relative` marks a script's path that depends on the folder it runs from: it may be meant
    from the repository root (as `path` reads it) or from the script's own folder, so both
    readings are tried (`mldebt.project.graph.readings`). Notebooks resolve from their own
    folder and `__file__`-anchored paths from the script's, so theirs have one reading."""

    mode: str  # read | write
    path: str
    line: int
    column: int
    api: str
    relative: bool = False


@dataclass(frozen=True)
class PickledFile:
    """A file that code unpickles (a load the MLD401-403 rules report) or writes with a
    pickle-based writer (`writers` in `rules/knowledge/deserialization.yaml`), seen through one
    call of a module-level helper (`load_pickle(os.path.join(data_path, "train.pkl"))`).
    `access` holds its path as a data access does (`*` for run-time parts); `folder` names the
    run-time value its folder comes from (`data_path`; `out` for `args.out / "m.pkl"`), '' for
    none; `line` and `cell` place the load or write as findings do. A helper called with
    several paths gives one record for each."""

    access: DataAccess
    folder: str
    line: int
    cell: int | None = None


@dataclass(frozen=True)
class PipelineStage:
    """A declared pipeline step (a `dvc.yaml` stage): the scripts its command runs and the
    artifacts it declares as dependencies and outputs, all as paths from the repository root
    (DVC reads them from the stage's `wdir`, by default the folder of the `dvc.yaml`).
    `modules` are the (folder the command runs in, dotted name) of `python -m pkg.train`:
    which file that is depends on the whole tree (`Project.stage_scripts`)."""

    name: str
    scripts: tuple[str, ...]
    deps: tuple[str, ...]
    outs: tuple[str, ...]
    line: int
    modules: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ConfigField:
    """A field of a config class: an annotated name in its body (`lr: float = 3e-4`)."""

    name: str
    line: int
    column: int


@dataclass(frozen=True)
class ConfigClass:
    """A configuration class (`rules/knowledge/config_classes.yaml`): a dataclass, attrs class
    or pydantic model named like a config (`TrainConfig`, `ModelArgs`). `bases` as written;
    `whole` when something takes all its fields at once from inside the class or its
    decorators (`asdict(self)` in a method, a registry decorator)."""

    name: str
    line: int
    fields: tuple[ConfigField, ...]
    bases: tuple[str, ...]
    whole: bool


# --- reproducibility: what trains, what is random, what is seeded, who calls whom --------------
#
# `function` in these facts names the code they sit in: '' for the module's top-level code (a
# notebook's cells), `__main__` for its `if __name__ == "__main__":` block (which runs when the
# file is run, not when it is imported), `train` for a module-level function, `Trainer.fit` for
# a method; functions nested deeper count as their enclosing one.


@dataclass(frozen=True)
class EntryPoint:
    """Where a run can start in this file. `kind`: `main-guard` (an `if __name__ == "__main__":`
    block), `script` (top-level code that trains or calls the module's own functions, with no
    guard), `notebook`, or `cli-command` (a click/typer command function)."""

    kind: str
    function: str
    line: int


@dataclass(frozen=True)
class DeclaredEntryPoint:
    """An entry point a manifest declares: a console script of `[project.scripts]` (`kind`
    `console-script`, `target` `pkg.cli:main`)."""

    kind: str
    target: str
    line: int


@dataclass(frozen=True)
class TrainingMarker:
    """Code that trains a model (`rules/knowledge/reproducibility.yaml` `training`): `api` is the
    call (`xgboost.train`), the method (`.fit()`, `.backward()`, `optimizer.step()`) or `epoch
    loop`."""

    api: str
    function: str
    line: int
    #: The last line of the statement of its function's body that holds it, in functions that
    #: also draw random numbers (else 0), see `RandomnessUse.statement_end`.
    statement_end: int = 0


@dataclass(frozen=True)
class RandomnessUse:
    """A call that draws from a random generator and is not seeded by its own arguments.

    `generator` is python | numpy | torch | tensorflow; `argument` is the keyword that would
    seed this call alone (`random_state`, `generator`, `seed`), '' when there is none;
    `global_seed` says whether seeding the global generator covers it (False for
    `np.random.default_rng()`, which ignores `np.random.seed`)."""

    generator: str
    api: str
    function: str
    line: int
    column: int
    argument: str = ""
    global_seed: bool = True
    location: str = ""  # `path:line` (with the cell for notebooks), for messages
    #: The last line of the statement of its function's body that holds it (a loop that draws
    #: and trains is one statement), see `StatementFlow`.
    statement_end: int = 0


@dataclass(frozen=True)
class SeedSet:
    """A call that seeds global generators: `torch.manual_seed` seeds (`torch`,),
    `L.seed_everything` (`python`, `numpy`, `torch`). `by_name` marks a call seeding by its name
    alone (`seed_all()` of an installed package): it counts only when the call does not resolve
    to a function of the repository, whose body then decides."""

    generators: tuple[str, ...]
    api: str
    function: str
    line: int
    by_name: bool = False


@dataclass(frozen=True)
class NondeterminismSwitch:
    """Determinism switched off knowingly: `torch.backends.cudnn.benchmark = True`,
    `torch.use_deterministic_algorithms(False)`."""

    setting: str
    function: str
    line: int
    column: int


@dataclass(frozen=True)
class FunctionCalls:
    """The calls of one function, and the names it passes as arguments (`references`:
    `mp.spawn(worker)`, `fire.Fire(main)`, `register(Model)`), named as `mldebt.callgraph`
    resolves them across modules: an imported name's qualified name (`pkg.utils.init_seeds`,
    `.utils.init_seeds`), a bare name for a name this module defines or star-imports (`train`),
    `Trainer.step` for `self.step()` in class `Trainer`. A class's entry lists its bases, so
    reaching a class reaches what it inherits."""

    function: str
    calls: tuple[str, ...]
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementFlow:
    """One statement of the body of a function that draws random numbers, in order: its last
    line (see `RandomnessUse.statement_end`), the names it reads and assigns, and the calls it
    makes (as `FunctionCalls` records them). The project phase follows a draw's value from
    statement to statement to tell whether it reaches the training (a notebook cell sampling
    test images to plot does not)."""

    function: str
    end: int
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    #: It computes gradients (`loss.backward()`): in a function that trains, a value reaching
    #: it reaches the step that applies them.
    backward: bool = False
    #: Names it changes in place (`feature["labels"] = ...`, `picks.append(...)`): a value
    #: reaching the statement reaches them too.
    mutates: tuple[str, ...] = ()
    #: How a value reaching it can leave its function: '' (it stays: kept in the function's own
    #: objects, shown, printed), `HANDED` (returned, yielded, or written into an argument the
    #: caller passed), `EFFECT` (written into a global, or a call made for its effect that only
    #: shows nothing: a file written, a list of the module changed).
    leaves: str = ""


#: The function name of a module's `if __name__ == "__main__":` block: it runs when the file is
#: run, not when it is imported.
MAIN = "__main__"
#: `StatementFlow.leaves`: back to the caller, through the call's value or its arguments.
HANDED = "handed"
#: `StatementFlow.leaves`: somewhere the caller does not see.
EFFECT = "effect"


@dataclass(frozen=True)
class ImportSite:
    """A module a Python file imports, as written (`src.features`, `.features`); for
    `from a import b` both `a` and `a.b` are recorded, since `b` may be a module."""

    module: str
    line: int


@dataclass(frozen=True)
class EvidenceSite:
    """A line that an ML Test Score detector (`rules/knowledge/ml_test_score.yaml`) matched; in a
    notebook, `cell` is the cell's index and `line` the line within it, as findings report them."""

    detector: str
    line: int
    cell: int | None = None


@dataclass(frozen=True)
class CiCommand:
    """One line of a shell command a CI job runs (`run:`, `script:`, `command:`) or a Makefile
    recipe holds; `directory` is the folder it runs in when the CI step sets one
    (`working-directory:`), relative to the root."""

    text: str
    line: int
    directory: str = ""


@dataclass(frozen=True)
class GlueLines:
    """A module's statements by class (`rules/knowledge/glue_code.yaml`): model code, glue
    and neutral, and the glue statements by kind (`format-conversion`, `file-shuffling`, ...).
    Statements are logical lines; imports, docstrings and `pass` are not counted."""

    model: int = 0
    glue: int = 0
    neutral: int = 0
    glue_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.model + self.glue + self.neutral


@dataclass
class Facts:
    requirements: list[Requirement] = field(default_factory=list)
    indexes: list[IndexUrl] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    #: Image names (no tag) the file builds or pushes: `docker build -t name`, `docker tag x
    #: name`, a `docker/build-push-action` step's `tags:`.
    built_images: list[str] = field(default_factory=list)
    cuda_versions: list[CudaVersion] = field(default_factory=list)
    #: Dockerfiles: the home folders of the image's accounts (`/home/app`): the user it runs as
    #: (`USER app`), the users it creates (`useradd app`) and every home folder it names: the
    #: same folder in every container of the image, not one developer's machine.
    image_homes: list[str] = field(default_factory=list)
    #: Requirements files an install names (`pip install -r x.txt`, a `-r x.txt` line) and
    #: constraints files (`-c constraints.txt`), as written: where an environment is built.
    installs: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    #: Package names a lock file (or a fully pinned, hashed requirements file) pins.
    locked: list[str] = field(default_factory=list)
    #: Requirements files an install command reads (`pip install -r requirements.txt`), with its line.
    requirement_files: list[RequirementFile] = field(default_factory=list)
    #: Python: code that puts tensors or models on a CUDA device.
    cuda_sites: list[Site] = field(default_factory=list)
    #: Python: CUDA device uses with no availability check in their function or module.
    unguarded_cuda_sites: list[Site] = field(default_factory=list)
    #: Python: the code checks whether an accelerator is available, so it also runs without one.
    runs_on_cpu: bool = False
    #: Python: module-level functions whose body demands a GPU outside any condition of its own
    #: (`torch.cuda.set_device`, an NCCL process group): a module that calls one is GPU-only.
    gpu_demanding_functions: list[str] = field(default_factory=list)
    #: Python: checkpoint loads not restricted to weights (none inside a
    #: `torch.serialization.safe_globals` block or a module that calls `add_safe_globals`).
    checkpoint_loads: list[CheckpointLoad] = field(default_factory=list)
    #: Config files: their keys. Python and configs: names the code reads (attributes,
    #: identifier-like strings, keyword and parameter names, `${interpolations}`).
    config_keys: list[ConfigKey] = field(default_factory=list)
    names_used: set[str] = field(default_factory=set)
    #: Python: identifiers inside string literals (`cfg["lr"]`, `os.environ["USE_AMP"]`).
    strings_used: set[str] = field(default_factory=set)
    #: Python: configs consumed wholesale (`**cfg`, `hydra.utils.instantiate`), so a key's
    #: name need not appear in the code for it to be read.
    reads_config_dynamically: bool = False
    #: Python: names computed by an f-string of one word (`cfg.get(f"{loss}_kwargs")`), as
    #: glob patterns (`*_kwargs`): a key that matches one may be read under that name.
    names_patterned: set[str] = field(default_factory=set)
    #: Python: nested config subtrees handed whole to what reads every key of them
    #: (`OmegaConf.to_container(cfg.lm.config)`, `instantiate(cfg.get("model").get("optim"))`)
    #: spread into a call (`Trainer(**cfg.trainer)`) or iterated (`for m in cfg.metadata:`),
    #: as dotted key paths without the config object (`lm.config`, `model.optim`, `trainer`).
    config_subtrees_whole: set[str] = field(default_factory=set)
    #: Python: the config files the code names or composes, as paths from the repository root
    #: (both readings of a script's relative path; `*` for a folder hydra composes from):
    #: config file names in strings (`default="configs/train.yaml"`) and hydra's
    #: `config_path` + `config_name` (`@hydra.main`, or a wrapper taking the same keywords).
    config_loads: list[str] = field(default_factory=list)
    #: Python: module-level switches, the branches they guard, names assigned other than by
    #: their definition (reassignment, `global`, `module.NAME = `, `setattr`), and whether the
    #: module overrides its globals wholesale (`exec(open(...).read())`, `globals().update`).
    flag_definitions: list[FlagDefinition] = field(default_factory=list)
    flag_guards: list[FlagGuard] = field(default_factory=list)
    names_assigned: set[str] = field(default_factory=set)
    overrides_globals: bool = False
    #: Python: argparse options; module-level functions and classes; whether parsed
    #: arguments are read dynamically (`vars(args)`, `args.__dict__`, or the namespace handed
    #: where mldebt cannot follow it).
    cli_options: list[CliOption] = field(default_factory=list)
    #: Python: the parameters of click/typer commands, each an option of the command line.
    command_parameters: list[str] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    reads_args_dynamically: bool = False
    #: Python: imported functions the parsed namespace is handed to whole (`train(args)`); the
    #: options stay readable by mldebt only when each is the repository's own (`mldebt.extract.namespace`).
    namespace_callees: list[str] = field(default_factory=list)
    #: Python: hyperparameters hard-coded in ML API calls, module constants and epoch loops;
    #: `is_config_module` when the file is itself configuration (configs/, config.py, ...).
    hyperparameters: list[HyperparameterSite] = field(default_factory=list)
    is_config_module: bool = False
    #: Python: the module builds a data loader or a dataset (`data_feeds` of the table).
    feeds_data: bool = False
    #: Python: some hyperparameter of the module comes from its configuration: an ML call's
    #: argument read from an object (`lr=args.lr`, `range(cfg.epochs)`, `(args.beta1, 0.999)`)
    #: or through a name bound to a function parameter (`def fit(lr): SGD(p, lr=lr)`).
    reads_hyperparameters: bool = False
    #: Python: data and model reads and writes. dvc.yaml: its stages. *.dvc and .gitattributes:
    #: the paths or patterns DVC or git-lfs version.
    data_access: list[DataAccess] = field(default_factory=list)
    #: Python: file names given as a string literal to a call that is neither a known read or
    #: write nor one that only names a path (`automl.pickle("automl.pkl")`, a library's own
    #: save method): a call that may write that file (mode `named`, placed as reads are).
    named_files: list[DataAccess] = field(default_factory=list)
    #: Python: module-level string constants (`DATA = "data/train.csv"`), for other modules
    #: that import them.
    string_constants: dict[str, str] = field(default_factory=dict)
    #: Python: the file downloads or unpacks data itself (a download call, an archive
    #: extraction, a notebook's `!wget`/`!unzip` line), so the files it reads may be its own.
    fetches_data: bool = False
    #: Python: the lines where the file asks the person running it for a file (`files.upload()`
    #: in Colab, `uploads` in `rules/knowledge/data_sources.yaml`).
    uploads: list[int] = field(default_factory=list)
    #: Python: the file is a notebook saved as a script (`sources.saved_notebook`): its cells
    #: and their prose were written to be read, as a notebook's are (`mldebt.project.demos`).
    saved_notebook: bool = False
    #: Python: the paths its download calls write into (`download_path=".", output_directory=`),
    #: under each reading of the path, "" for the repository root: the files beneath are
    #: fetched from outside by this module (for MLD304), not handed over by it (no write edge).
    download_folders: list[str] = field(default_factory=list)
    pipeline_stages: list[PipelineStage] = field(default_factory=list)
    #: Python: the files its pickle-based loads read and its pickle-based writers write
    #: (`mldebt.project.handoffs` finds the loads of files the repository's own code writes).
    pickled_files: list[PickledFile] = field(default_factory=list)
    #: Python: config classes defined here; names that occur here only as a config class's
    #: field (not read here); config-like class names handed to a call (`HfArgumentParser(
    #: (ModelArgs, DataArgs))`, `OmegaConf.structured(Cfg)`) and built (constructed, or a
    #: class method of called: annotating one builds nothing); whether the file takes some object's fields all at once
    #: (`asdict(cfg)`, `vars(args)`, `cfg.model_dump()`).
    config_classes: list[ConfigClass] = field(default_factory=list)
    config_field_only: set[str] = field(default_factory=set)
    config_classes_handed: set[str] = field(default_factory=set)
    config_classes_built: set[str] = field(default_factory=set)
    takes_fields_whole: bool = False
    versioned_paths: list[str] = field(default_factory=list)
    #: Markdown: the files it tells the reader to download (`wget URL` in a code block, a link
    #: to a file), under the document's folder; shell scripts and Makefiles: the files their
    #: `wget`/`curl` commands fetch, from the repository root or the script's folder. Paths
    #: from the repository root; an archive (`data.zip`) also as its unpacked folder (`data/*`).
    fetched_paths: list[str] = field(default_factory=list)
    #: Markdown: repositories (`org/name`) its commands download (`litgpt download org/name`,
    #: `huggingface-cli download org/name`): the tool files them in a folder named so.
    fetched_repositories: list[str] = field(default_factory=list)
    #: Python: reproducibility facts (see the classes above). `imported_modules` are the
    #: qualified names the file imports (`torch`, `pkg.utils.init_seeds`, `.utils`) and the
    #: modules it star-imports (`*pkg.utils`). Manifests: `declared_entry_points`.
    entry_points: list[EntryPoint] = field(default_factory=list)
    declared_entry_points: list[DeclaredEntryPoint] = field(default_factory=list)
    training_markers: list[TrainingMarker] = field(default_factory=list)
    randomness: list[RandomnessUse] = field(default_factory=list)
    seeds: list[SeedSet] = field(default_factory=list)
    nondeterminism: list[NondeterminismSwitch] = field(default_factory=list)
    function_calls: list[FunctionCalls] = field(default_factory=list)
    statement_flows: list[StatementFlow] = field(default_factory=list)
    imported_modules: list[str] = field(default_factory=list)
    #: Python: the modules the file imports (evidence for the rubric, and that two files
    #: belong to one project). All files: ML Test Score evidence.
    imports: list[ImportSite] = field(default_factory=list)
    #: Notebooks: packages installed by `!pip install` / `%pip install` (virtual lines),
    #: including those installed from a VCS URL (`git+https://...`, with `url` set).
    notebook_installs: list[NotebookInstall] = field(default_factory=list)
    #: Notebooks that install packages: the call keywords of `removed_api` (in
    #: `rules/knowledge/gpu_stack.yaml`) their code passes (`evaluation_strategy`), for MLD607.
    removed_keywords: list[str] = field(default_factory=list)
    #: Notebooks: their shell commands (`!python3 prepare.py`), at their virtual lines: the
    #: steps a notebook runs itself.
    notebook_commands: list[CiCommand] = field(default_factory=list)
    #: Notebooks: the file names (`train_samples.pkl`) quoted in cells that do not parse (an
    #: exercise's blanks): code mldebt cannot read that may write those files.
    unparsed_names: list[str] = field(default_factory=list)
    #: Markdown: requirements files a page tells the reader to install (`pip install -r
    #: requirement.txt` in a README), as written: whatever its name, that file declares the
    #: environment. Kept apart from `installs`: a page does not build an environment.
    documented_installs: list[str] = field(default_factory=list)
    evidence: list[EvidenceSite] = field(default_factory=list)
    #: CI workflows, job manifests, shell scripts: the commands they run, the line of a schedule
    #: trigger (0: none) and GitHub's `on:` events.
    ci_commands: list[CiCommand] = field(default_factory=list)
    ci_schedule: int = 0
    ci_events: list[str] = field(default_factory=list)
    #: Python: statements by class (`rules/knowledge/glue_code.yaml`), for the glue-code share.
    glue_lines: GlueLines = field(default_factory=GlueLines)
