from collections.abc import Iterator

from mldebt.rules.configuration_debt import code_sites, shown

from mldebt.discover import CONFIG_DIRS, FileKind, is_test_path
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_CONFIG = "train:\n  lr: 0.001\n  batch_size: 64\n"


class ConfigValueInCode(ProjectRule):
    """A literal in code that repeats a value of the repository's config file instead of reading it.

    ## Why it matters
    `configs/train.yaml` says `lr: 0.001` and `train.py` passes `lr=1e-3`: the config is a
    lie waiting to happen, because the first edit to the YAML will not change the run. The
    finding names the config key and its line.

    ## Known limitations
    A config file is compared only with the code under the folder that holds its config
    folder (`configs/x.yaml` at the root: the whole repository; `examples/asr/conf/x.yaml`:
    `examples/asr/`), so another example's config is not taken for this code's.
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
        Invalid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="train.py", line=2,
                message="configs/train.yaml:2", files={"configs/train.yaml": _CONFIG}),
        Invalid("BATCH_SIZE = 64\n", path="data.py", message="train.batch_size", files={"configs/train.yaml": _CONFIG}),
        # An example's own config folder configures the example.
        Invalid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="examples/asr/train.py", line=2,
                files={"examples/asr/conf/train.yaml": _CONFIG}),
    ]
    VALID = [
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=cfg['train']['lr'])\n", path="train.py",
              files={"configs/train.yaml": _CONFIG}),
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=3e-4)\n", path="train.py", files={"configs/train.yaml": _CONFIG}),
        # Another example's config says nothing about this code.
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="llm/recipes/gpt.py",
              files={"examples/asr/conf/train.yaml": _CONFIG}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        keys = []
        canonical = project.hyperparameter_aliases
        for path, (kind, facts) in project.files.items():
            if kind == FileKind.CONFIG and not is_test_path(path):
                keys += [(path, k) for k in facts.config_keys if k.value is not None]
        for path, site in code_sites(project):
            for config_path, key in keys:
                if not _applies_to(config_path, path):
                    continue
                if canonical.get(key.name.lower(), key.name.lower()) == site.name and key.value == site.value:
                    yield ProjectFinding(
                        site.line,
                        f"`{site.written}={shown(site.value)}` repeats `{key.path}` of {config_path}:{key.line}",
                        hint=f"read it from the config (`{key.path}`) so that editing the config changes the run",
                        column=site.column,
                        path=path,
                        related=((config_path, key.line),),
                    )
                    break


def _applies_to(config: str, code: str) -> bool:
    """Whether a config file configures the code at `code`: the folder that holds its config
    folder (`examples/asr` for `examples/asr/conf/x.yaml`, the root for `configs/x.yaml`)
    encloses the code. An ASR example's YAML says nothing about an LLM recipe elsewhere."""
    parts = config.split("/")[:-1]
    roots = [i for i, part in enumerate(parts) if part in CONFIG_DIRS]
    scope = "/".join(parts[: roots[0]] if roots else parts)
    return not scope or code.startswith(scope + "/")
