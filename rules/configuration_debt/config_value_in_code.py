from collections.abc import Iterator

from mldebt.rules.configuration_debt import code_sites, shown

from mldebt.discover import FileKind, is_test_path
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_CONFIG = "train:\n  lr: 0.001\n  batch_size: 64\n"
_LOADS = "import torch, yaml\ncfg = yaml.safe_load(open('configs/train.yaml'))\n"


class ConfigValueInCode(ProjectRule):
    """A literal in code that repeats a value of the repository's config file instead of reading it.

    ## Why it matters
    `configs/train.yaml` says `lr: 0.001` and `train.py` passes `lr=1e-3`: the config is a
    lie waiting to happen, because the first edit to the YAML will not change the run. The
    finding names the config key and its line.

    ## Known limitations
    A config file is compared only with code that loads it, and the code of its codebase (its
    package, the plain modules it imports, the scripts that import it; not a library it merely
    drives, whose defaults the config does not set): code naming the file in a string
    (`default="configs/train.yaml"`, `OmegaConf.load(...)`, `open(...)`) or composing it with
    hydra (`config_path` + `config_name`, also through a wrapper such as NeMo's
    `hydra_runner`). So an example that builds its config in Python is not compared with a
    neighbour's YAML, and a config that no code names (one passed only on the command line)
    is compared with nothing.
    A value handed to the call that is also given the config file (`prepare_hparams(yaml_file,
    batch_size=BATCH_SIZE)`, `yaml_file` naming it) overrides the file on purpose: not reported.
    Matched by normalised name and equal value, so a literal that only happens to equal the
    config value is reported too.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 7 (configuration debt)
    """

    id = "MLD104"
    name = "config-value-in-code"
    category = Category.CONFIGURATION_DEBT
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        # A constant of the loading script, passed to another call than the loader.
        Invalid("import torch\nfrom utils import prepare_hparams\nyaml_file = 'configs/train.yaml'\nBATCH_SIZE = 64\n"
                "hparams = prepare_hparams(yaml_file)\nloader = torch.utils.data.DataLoader(ds, batch_size=BATCH_SIZE)\n",
                path="train.py", line=4, message="train.batch_size", files={"configs/train.yaml": _CONFIG}),
        Invalid(_LOADS + "opt = torch.optim.AdamW(p, lr=1e-3)\n", path="train.py", line=3,
                message="configs/train.yaml:2", files={"configs/train.yaml": _CONFIG}),
        # A module the loading script imports belongs to its configuration.
        Invalid("BATCH_SIZE = 64\n", path="data.py", message="train.batch_size",
                files={"configs/train.yaml": _CONFIG, "train.py": _LOADS + "import data\n"}),
        # Hydra composes the config from the folder of the script that names it.
        Invalid("import hydra, torch\n@hydra.main(config_path='../conf', config_name='train')\ndef main(cfg):\n"
                "    opt = torch.optim.AdamW(p, lr=1e-3)\n", path="examples/asr/run/train.py", line=4,
                files={"examples/asr/conf/train.yaml": _CONFIG}),
    ]
    VALID = [
        Valid(_LOADS + "opt = torch.optim.AdamW(p, lr=cfg['train']['lr'])\n", path="train.py",
              files={"configs/train.yaml": _CONFIG}),
        Valid(_LOADS + "opt = torch.optim.AdamW(p, lr=3e-4)\n", path="train.py", files={"configs/train.yaml": _CONFIG}),
        # Code that loads no config, beside a config folder (a structured-config example).
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="examples/asr/structured.py",
              files={"examples/asr/conf/train.yaml": _CONFIG}),
        # An override handed to the loader of the same file, directly or through a constant.
        Valid("from utils import prepare_hparams\nyaml_file = 'configs/train.yaml'\nBATCH_SIZE = 64\n"
              "hparams = prepare_hparams(yaml_file, lr=1e-3, batch_size=BATCH_SIZE)\n", path="train.py",
              files={"configs/train.yaml": _CONFIG}),
        # Hydra composing another file of the same folder: that file's values say nothing here.
        Valid("import hydra, torch\n@hydra.main(config_path='conf', config_name='other')\ndef main(cfg):\n"
              "    opt = torch.optim.AdamW(p, lr=1e-3)\n", path="examples/asr/train.py",
              files={"examples/asr/conf/train.yaml": _CONFIG, "examples/asr/conf/other.yaml": "train:\n  epochs: 3\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        keys = []
        canonical = project.hyperparameter_aliases
        for path, (kind, facts) in project.files.items():
            if kind == FileKind.CONFIG and not is_test_path(path):
                keys += [(path, k) for k in facts.config_keys if k.value is not None]
        if not keys:
            return
        loaders = project.config_loaders
        members: dict[str, set[str]] = {}
        applies: dict[tuple[str, str], bool] = {}
        for path, site in code_sites(project):
            if site.overrides_config or not self.reports(path):
                continue  # handed to the call that loads a config, beside it: an override, set on purpose
            for config_path, key in keys:
                if canonical.get(key.name.lower(), key.name.lower()) != site.name or key.value != site.value:
                    continue
                if (config_path, path) not in applies:
                    for loader in loaders.get(config_path, ()):
                        if loader not in members:
                            members[loader] = set(project.project_members(loader))
                    applies[config_path, path] = any(path in members[loader] for loader in loaders.get(config_path, ()))
                if applies[config_path, path]:
                    yield ProjectFinding(
                        site.line,
                        f"`{site.written}={shown(site.value)}` repeats `{key.path}` of {config_path}:{key.line}",
                        hint=f"read it from the config (`{key.path}`) so that editing the config changes the run",
                        column=site.column,
                        path=path,
                        related=((config_path, key.line),),
                    )
                    break
