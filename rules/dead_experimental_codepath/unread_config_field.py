from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.extract.config_classes import config_bases
from mldebt.extract.facts import ConfigClass
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_CONFIG = (
    "from dataclasses import dataclass\n\n@dataclass\nclass TrainConfig:\n"
    "    lr: float = 3e-4\n    epochs: int = 10\n    warmup_steps: int = 500\n"
)
_SCHEMAS = (
    "import attr\n\n@attr.define\nclass QueueConfig:\n    max_consume: int = 1\n\n"
    "@attr.define\nclass DeploymentSchema:\n    name: str\n    queue: QueueConfig\n"
)
_TRAIN = "from config import TrainConfig\n\ndef main(cfg: TrainConfig):\n    return cfg.lr, cfg.epochs\n\nmain(TrainConfig())\n"


class UnreadConfigField(ProjectRule):
    """A field of a config class (dataclass, attrs, pydantic) that nothing in the project reads.

    ## Why it matters
    `warmup_steps: int = 500` in `TrainConfig` looks like a setting of every run, and a run's
    logged config records it, but no code reads it: changing it changes nothing. It is the
    `unread-config-key` problem (MLD204) for configuration written as code, and like an
    unread key it is usually the leftover of an experiment.

    ## Evidence
    A field is reported only when the class is the project's own configuration: the project's
    code (not its tests) builds it (`TrainConfig(...)`, `TrainConfig.from_yaml(path)`: from a
    config file, the command line or its own defaults), its project reads other fields of it
    (or of its config base or derived classes), and nothing takes its fields all at once.
    A class the project only annotates or names as another record's field type is filled by
    someone else (a deserialiser, a web framework, a library reading a schema) and is never
    reported, nor is a record the project builds and hands on without reading it.

    ## Known limitations
    Fields are matched by name: a field counts as read when any file of its project (tests
    included, and scripts that import the package) names it as an attribute, a keyword, a
    string (`getattr(cfg, "lr")`, a pydantic validator) or any other identifier. Fields that
    may be taken all at once: the class handed to a call (`HfArgumentParser(TrainConfig)`,
    `OmegaConf.structured`), consumed whole by a file that mentions it (`asdict`, `vars`,
    `__dict__`, `model_dump`, `getattr(cfg, name)`, `save_hyperparameters`, `wandb.init`:
    `rules/knowledge/config_classes.yaml`), registered by another decorator, or derived from a
    base class outside the repository, which may read fields by reflection; the same holds for
    its config base and derived classes. A config class built only through an annotation a
    CLI library reads (`@pyrallis.wrap() def main(cfg: TrainConfig)`) is not seen as built.
    Only classes named like a config (`*Config`, `*Args`, `*Settings`, `*Params`, ...).

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths) and sec. 7 (configuration debt)
    """

    id = "MLD207"
    name = "unread-config-field"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid(_CONFIG, path="config.py", line=7, message="`TrainConfig.warmup_steps`", files={"train.py": _TRAIN}),
        # pydantic settings; a field is not read by being documented or defined in another class
        Invalid(
            'from pydantic import BaseModel, Field\n\nclass ServeSettings(BaseModel):\n    """port: where to listen"""\n'
            '    port: int = 8000\n    batch: int = Field(8, description="port batch")\n',
            path="app/settings.py", line=5, message="`ServeSettings.port`",
            files={"app/__init__.py": "", "app/main.py": "from .settings import ServeSettings\ns = ServeSettings()\nprint(s.batch)\n",
                   "app/other.py": "from dataclasses import dataclass\n@dataclass\nclass EvalArgs:\n    port: int = 1\n"},
        ),
        # a subclass the project builds: the code that takes its base never reads the new field
        Invalid(
            "from dataclasses import dataclass\n\n@dataclass\nclass DataConfig:\n    media: str = 'image'\n\n"
            "@dataclass\nclass VideoDataConfig(DataConfig):\n    frames: int = 8\n    sep_token_between_frames: bool = False\n",
            path="data_config.py", line=10, message="`VideoDataConfig.sep_token_between_frames`",
            files={"data.py": "from data_config import DataConfig, VideoDataConfig\n\ndef load(cfg: DataConfig):\n"
                                      "    return cfg.media, cfg.frames\n\nload(VideoDataConfig())\n"},
        ),
        # a config class nested in a record is the project's own when it builds it and reads it
        Invalid(_SCHEMAS.replace("    max_consume: int = 1\n", "    max_consume: int = 1\n    retries: int = 3\n"),
                path="schemas.py", line=5, message="`QueueConfig.max_consume`", files={"client.py": (
                    "from schemas import DeploymentSchema, QueueConfig\nq = QueueConfig()\nd = DeploymentSchema('a', q)\n"
                    "print(d.name, q.retries)\n")}),
        Invalid("import attrs\n\n@attrs.define\nclass EvalOptions:\n    top_k: int = 5\n    old_beam: int = 4\n",
                path="opts.py", line=6, message="`EvalOptions.old_beam`", files={"run.py": "import opts\nprint(opts.EvalOptions().top_k)\n"}),
    ]
    VALID = [
        Valid(_CONFIG, path="config.py", files={"train.py": _TRAIN + "def warm(cfg):\n    return cfg.warmup_steps\n"}),
        # class attributes that are not fields, and private ones
        Valid("from dataclasses import dataclass\nfrom typing import ClassVar\n\n@dataclass\nclass RunConfig:\n"
              "    registry: ClassVar[dict] = {}\n    _cache: int = 0\n", path="run_config.py"),
        Valid(_CONFIG, path="config.py", files={"train.py": _TRAIN, "tests/test_config.py": (
            "from config import TrainConfig\n\ndef test_warmup():\n    assert TrainConfig().warmup_steps == 500\n")}),
        Valid(_CONFIG, path="config.py", files={"train.py": _TRAIN + "import wandb\nwandb.init(config=TrainConfig())\n"}),
        Valid(_CONFIG, path="config.py", files={"train.py": (
            "from dataclasses import asdict\nfrom config import TrainConfig\nprint(asdict(TrainConfig()))\n")}),
        Valid(_CONFIG, path="config.py", files={"train.py": (
            "from transformers import HfArgumentParser\nfrom config import TrainConfig\n"
            "(cfg,) = HfArgumentParser((TrainConfig,)).parse_args_into_dataclasses()\nprint(cfg.lr)\n")}),
        Valid(_CONFIG, path="config.py", files={"train.py": _TRAIN + "def get(cfg):\n    return getattr(cfg, 'warmup_steps')\n"}),
        Valid(_CONFIG, path="config.py", files={"train.py": _TRAIN + "def get(cfg, key):\n    return getattr(cfg, key)\n"}),
        Valid(_CONFIG.replace("class TrainConfig:", "class TrainConfig(TrainingArguments):").replace(
            "from dataclasses import dataclass", "from dataclasses import dataclass\nfrom transformers import TrainingArguments"),
            path="config.py", files={"train.py": _TRAIN}),
        Valid(_CONFIG + "\n    def to_json(self):\n        return dict(self.__dict__)\n", path="config.py", files={"train.py": _TRAIN}),
        # a data record is not configuration; a script that is not of the project does not read it
        Valid("from dataclasses import dataclass\n\n@dataclass\nclass Detection:\n    box: tuple\n    score: float\n", path="det.py"),
        # a schema the project exports but never builds: other code passes it on whole
        Valid(_CONFIG, path="pkg/config.py", files={"pkg/__init__.py": "from .config import TrainConfig\n__all__ = ['TrainConfig']\n"}),
        # an API schema: a config class named only as a record's field type is built by whatever
        # builds the record (here a deserialiser), never by the project's code
        Valid(_SCHEMAS, path="schemas.py", files={"client.py": (
            "import cattrs\nfrom schemas import DeploymentSchema\n\n"
            "def get(data) -> DeploymentSchema:\n    return cattrs.structure(data, DeploymentSchema)\n")}),
        # an API model: the project only annotates it, a web framework builds it from a request
        Valid("from pydantic import BaseModel\n\nclass PredictConfig(BaseModel):\n    top_k: int = 5\n    threshold: float = 0.5\n",
              path="api/schemas.py", files={"api/__init__.py": "", "api/app.py": (
                  "from fastapi import FastAPI\nfrom .schemas import PredictConfig\napp = FastAPI()\n\n"
                  "@app.post('/predict')\ndef predict(cfg: PredictConfig):\n    return cfg.top_k\n")}),
        # a record the project builds and hands on, reading nothing of it: someone else's settings
        Valid(_SCHEMAS, path="schemas.py", files={"client.py": (
            "from schemas import DeploymentSchema, QueueConfig\nd = DeploymentSchema('a', QueueConfig())\nprint(d.name)\n")}),
        # built by a test only: the project itself never builds it
        Valid(_CONFIG, path="config.py", files={"train.py": "from config import TrainConfig\n\ndef main(cfg: TrainConfig):\n    return cfg.lr\n",
                                                "tests/test_train.py": "from config import TrainConfig\nfrom train import main\n\ndef test_main():\n    main(TrainConfig())\n"}),
        # a subclass taken whole takes its base's fields too
        Valid(_CONFIG, path="config.py", files={"train.py": (
            "from dataclasses import asdict, dataclass\nfrom config import TrainConfig\n\n@dataclass\n"
            "class FinetuneConfig(TrainConfig):\n    freeze: bool = True\n\nprint(asdict(FinetuneConfig()))\n")}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        classes = {path: facts.config_classes for path, (_, facts) in project.files.items() if facts.config_classes}
        if not classes:
            return
        whole = _whole_classes(classes)
        lineages = _lineages(classes)
        fields = {c.name: {f.name for f in c.fields} for defined in classes.values() for c in defined}
        lineage_fields = {name: set().union(*(fields[n] for n in lineage if n in fields)) for name, lineage in lineages.items()}
        readers: dict[str, _Readers] = {}  # project key -> what its files do
        for path, defined in sorted(classes.items()):
            if is_test_path(path) or project.files[path][1].takes_fields_whole or not self.reports(path):
                continue
            seen = []
            for key in project.related_projects(path):
                if key not in readers:
                    readers[key] = _Readers(project, project.project_members(key))
                seen.append(readers[key])
            for config in defined:
                lineage = lineages[config.name]
                if lineage & whole or any(lineage & r.handed or lineage & r.taken_whole for r in seen):
                    continue  # its fields may all be read at once
                if not any(lineage & r.built for r in seen):
                    continue  # the project never builds it: a schema a library or a deserialiser fills
                if not any(name in r.reads for name in lineage_fields[config.name] for r in seen):
                    continue  # nothing of it is read here: a record handed on, not the project's settings
                for field in config.fields:
                    if not any(field.name in r.reads for r in seen):
                        yield ProjectFinding(
                            field.line,
                            f"`{config.name}.{field.name}` is a field of a config class that nothing in the project reads",
                            hint="delete the field (and what sets it), or read it where it was meant to apply",
                            column=field.column,
                            path=path,
                        )


class _Readers:
    """What the files of a project do with config classes: the identifiers they read (less
    names that occur only as a config field), the names mentioned by files that take some
    object's fields whole, the config classes they hand to calls, and those the project's own
    code (not its tests) builds."""

    def __init__(self, project: Project, files: list[str]) -> None:
        self.reads: set[str] = set()
        self.taken_whole: set[str] = set()
        self.handed: set[str] = set()
        self.built: set[str] = set()
        for path in files:
            facts = project.files[path][1]
            used = facts.names_used | facts.strings_used
            self.reads |= used - facts.config_field_only
            self.handed |= facts.config_classes_handed
            if not is_test_path(path):
                self.built |= facts.config_classes_built
            if facts.takes_fields_whole:
                self.taken_whole |= used


def _lineages(classes: dict[str, list[ConfigClass]]) -> dict[str, set[str]]:
    """Config class name -> itself, its config base classes and the config classes derived
    from it, at any depth: an object of any of them may be one of the class, or hold its fields."""
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for defined in classes.values():
        for config in defined:
            for base in config.bases:
                parents.setdefault(config.name, set()).add(base.rsplit(".", 1)[-1])
                children.setdefault(base.rsplit(".", 1)[-1], set()).add(config.name)
    lineages: dict[str, set[str]] = {}
    for defined in classes.values():
        for config in defined:
            lineage = {config.name}
            for links in (parents, children):
                queue = [config.name]
                while queue:
                    for other in links.get(queue.pop(), ()):
                        if other not in lineage:
                            lineage.add(other)
                            queue.append(other)
            lineages[config.name] = lineage
    return lineages


def _whole_classes(classes: dict[str, list[ConfigClass]]) -> set[str]:
    """Names of config classes whose fields may all be read by something the facts cannot
    follow: taken whole inside the class, or derived from a class that is not one of the
    repository's config classes (a library base, which may read them by reflection)."""
    by_name: dict[str, list[ConfigClass]] = {}
    for defined in classes.values():
        for config in defined:
            by_name.setdefault(config.name, []).append(config)
    roots = config_bases()
    whole = {
        name for name, configs in by_name.items()
        if any(c.whole or any(b not in roots and b.rsplit(".", 1)[-1] not in by_name for b in c.bases) for c in configs)
    }
    return whole
