import re
from collections.abc import Iterator

from mldebt.discover import FileKind, is_test_path
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid
from mldebt.rules.dead_experimental_codepath import names_read

#: Keys that configuration frameworks read themselves (hydra, OmegaConf).
_FRAMEWORK_KEYS = frozenset({"defaults", "_target_", "_self_", "_recursive_", "_convert_", "_partial_", "hydra"})
_TRAIN = "import yaml\ncfg = yaml.safe_load(open('configs/train.yaml'))\n"


class UnreadConfigKey(ProjectRule):
    """A key of an experiment config file that no code reads.

    ## Why it matters
    A config key nobody reads is a knob that turns nothing: someone sets `warmup_steps: 500`
    for a run, the run ignores it, and the experiment log records a setting that never
    applied. A key counts as read when its name appears in the code as an attribute,
    a subscript or `.get()` string, a keyword or parameter name (`**cfg` unpacking), or in
    another key's `${interpolation}`.

    ## Known limitations
    Keys are matched by name, not by path, so a key is taken as read when any code reads a
    key of that name. Where configs are consumed wholesale (`**cfg`, `hydra.utils.instantiate`)
    findings drop to low confidence; keys beside a hydra `_target_` are constructor arguments
    and never reported.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths) and sec. 7 (configuration debt)
    """

    id = "MLD204"
    name = "unread-config-key"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid("train:\n  lr: 0.001\n  warmup_steps: 500\n", path="configs/train.yaml", line=3,
                message="`train.warmup_steps`", files={"train.py": _TRAIN + "lr = cfg['train']['lr']\n"}),
        Invalid('{"epochs": 3, "old_schedule": "cosine"}\n', path="configs/run.json", message="`old_schedule`",
                files={"train.py": "import json\ncfg = json.load(open('configs/run.json'))\nprint(cfg['epochs'])\n"}),
    ]
    VALID = [
        Valid("train:\n  lr: 0.001\n", path="configs/train.yaml", files={"train.py": _TRAIN + "lr = cfg['train']['lr']\n"}),
        Valid("model:\n  dim: 64\n", path="conf/model.yaml", files={"train.py": "def run(cfg):\n    return cfg.model.dim\n"}),
        Valid("optim:\n  _target_: torch.optim.AdamW\n  weight_decay: 0.01\ndefaults:\n  - _self_\n", path="conf/config.yaml",
              files={"train.py": "from hydra.utils import instantiate\ndef run(cfg, p):\n    return instantiate(cfg.optim, p)\n"}),
        Valid("base_lr: 0.1\nlr: ${base_lr}\n", path="configs/a.yaml", files={"train.py": "def f(cfg):\n    return cfg.lr\n"}),
        Valid("epochs: 3\n", path="configs/a.yaml", files={"train.py": "def fit(epochs):\n    pass\ndef main(cfg):\n    fit(**cfg)\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        if not any(kind in FileKind.CODE for kind, _ in project.files.values()):
            return
        read = names_read(project)
        dynamic = any(facts.reads_config_dynamically for _, facts in project.files.values())
        for path, (kind, facts) in project.files.items():
            if kind != FileKind.CONFIG or is_test_path(path):
                continue
            targets = {key.path.rpartition(".")[0] for key in facts.config_keys if key.name == "_target_"}
            for key in facts.config_keys:
                parent = key.path.rpartition(".")[0]
                if key.name in read or key.name in _FRAMEWORK_KEYS or parent in targets or not re.match(r"[A-Za-z_]", key.name):
                    continue
                yield ProjectFinding(
                    key.line,
                    f"config key `{key.path}` is never read by the code",
                    hint="delete the key, or read it where the setting it names is decided",
                    confidence=Confidence.LOW if dynamic else None,
                    path=path,
                )
