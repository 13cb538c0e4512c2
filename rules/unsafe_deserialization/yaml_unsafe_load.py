from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst
from packaging.version import Version

from mldebt.extract.context import call_argument
from mldebt.knowledge import report_guarded_call
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid

if TYPE_CHECKING:
    from mldebt.project import Project
    from mldebt.report import Finding

#: The first PyYAML release whose `FullLoader` runs no code (CVE-2020-14343 fixed).
_FULL_LOADER_SAFE = Version("5.4")
_FULL_LOAD = "import yaml\nwith open(p) as f:\n    cfg = yaml.load(f, Loader=yaml.FullLoader)\n"


class YamlUnsafeLoad(PythonRule):
    """Parses YAML with a loader that can construct arbitrary Python objects.

    ## Why it matters
    Experiment configs and dataset cards are YAML, often downloaded. `yaml.load` with the full
    `Loader` (or `yaml.unsafe_load`) honours `!!python/object` tags and so runs code;
    `yaml.safe_load` builds only plain data.

    `Loader=yaml.FullLoader` is reported as a warning: it refuses most tags, but could still run
    code before PyYAML 5.4 (CVE-2020-14343), and only the safe loader is safe by design
    (bandit B506 flags it too). It is not reported where the manifests covering the file (those
    of the deepest enclosing folder that names PyYAML, as MLD402 reads the torch floor) require
    PyYAML >= 5.4: there the claim is false.

    ## Known limitations
    A custom loader class is assumed safe; `ruamel.yaml` is not covered. Lock files name
    packages without their versions here, so a floor only a lock file states is not seen. Text the same code
    produced with `yaml.dump` (a round-trip check of a config it writes) is no outside input and
    is not reported.

    ## References
    - PyYAML docs, "yaml.load(input) Deprecation"; CVE-2017-18342, CWE-502
    """

    id = "MLD404"
    name = "yaml-unsafe-load"
    category = Category.UNSAFE_DESERIALIZATION
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    in_tests = False
    INVALID = [
        Invalid("import yaml\ncfg = yaml.load(open('c.yaml'))\n", line=2, message="safe `Loader`"),
        Invalid("import yaml\ncfg = yaml.load(f, Loader=yaml.Loader)\n", message="`yaml.Loader`"),
        Invalid("from yaml import load, UnsafeLoader\ncfg = load(f, UnsafeLoader)\n"),
        Invalid("import yaml\ncfg = yaml.unsafe_load(text)\n"),
        Invalid("import yaml\ndocs = list(yaml.load_all(f, Loader=yaml.CLoader))\n"),
        Invalid("import yaml\nwith open(cfg) as f:\n    model = yaml.load(f, Loader=yaml.FullLoader)\n", line=3,
                message="`yaml.FullLoader`"),
        # The manifests covering the file allow a PyYAML before 5.4, or leave it open.
        Invalid(_FULL_LOAD, path="app/cfg.py", line=3, files={"app/requirements.txt": "pyyaml>=5.1\n"}),
        Invalid(_FULL_LOAD, path="app/cfg.py", line=3, files={"requirements.txt": "pyyaml\n"}),
        # The folder's own requirements come before the repository's.
        Invalid(_FULL_LOAD, path="app/cfg.py", line=3,
                files={"pyproject.toml": "[project]\nname='a'\ndependencies=['pyyaml>=6']\n",
                       "app/requirements.txt": "PyYAML==5.3.1\n"}),
        # A floor does not make the unsafe loader safe.
        Invalid("import yaml\ncfg = yaml.load(f, Loader=yaml.Loader)\n", path="app/cfg.py", line=2,
                files={"requirements.txt": "pyyaml>=6.0\n"}),
    ]
    VALID = [
        "import yaml\ncfg = yaml.safe_load(open('c.yaml'))\n",
        "import yaml\ncfg = yaml.load(f, Loader=yaml.SafeLoader)\n",
        "import yaml\ncfg = yaml.load(f, yaml.CSafeLoader)\n",
        "import yaml\ncfg = yaml.load(f, Loader=MyConfigLoader)\n",
        "import json\ncfg = json.load(f)\n",
        "from omegaconf import OmegaConf\ncfg = OmegaConf.load('c.yaml')\n",
        # A round trip of what the code itself just dumped.
        "import yaml\ndumped = yaml.dump(cfg)\ntry:\n    yaml.unsafe_load(dumped)\nexcept Exception:\n    pass\n",
        "import yaml\nassert yaml.unsafe_load(yaml.dump(cfg)) == cfg\n",
        # PyYAML >= 5.4 required where the file lives: FullLoader runs no code there.
        Valid(_FULL_LOAD, path="src/app/cfg.py",
              files={"pyproject.toml": "[project]\nname='a'\ndependencies=['pyyaml>=6.0.0, <7.0.0']\n"}),
        Valid(_FULL_LOAD, path="tools/cfg.py", files={"requirements.txt": "PyYAML==6.0.3\ntorch\n"}),
    ]

    @classmethod
    def holds_in(cls, project: Project, finding: Finding) -> bool:
        """The `FullLoader` claim holds only where a PyYAML before 5.4 may be installed."""
        if _BEFORE_SAFE_FULL_LOADER not in finding.message:
            return True
        floor = project.floor(finding.path, "pyyaml")
        return floor is None or floor < _FULL_LOADER_SAFE

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._dumped: set[str] = set()  # names bound to text `yaml.dump` produced here

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._dumps(node.value):
            self._dumped.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

    def _dumps(self, node: cst.BaseExpression | None) -> bool:
        return isinstance(node, cst.Call) and self.ctx.qualname(node.func) in _DUMPS

    def visit_Call(self, node: cst.Call) -> None:
        text = call_argument(node, "stream", 0)
        if self._dumps(text) or (isinstance(text, cst.Name) and text.value in self._dumped):
            return  # the code's own output, read back to check it
        if self.ctx.qualname(node.func) in _LOADS:
            loader = call_argument(node, "Loader", 1)
            name = self.ctx.qualname(loader) if isinstance(loader, cst.BaseExpression) else None
            if name in _FULL_LOADERS:
                self.report(
                    node,
                    f"`yaml.load` with `{name}` is not the safe loader: {_BEFORE_SAFE_FULL_LOADER}",
                    "use `yaml.safe_load` (or `Loader=yaml.SafeLoader`)",
                    severity=Severity.WARNING,
                    confidence=Confidence.MEDIUM,
                )
                return
        report_guarded_call(self, node, "deserialization")


_BEFORE_SAFE_FULL_LOADER = "it could run code before PyYAML 5.4"
_LOADS = frozenset({"yaml.load", "yaml.load_all"})
_DUMPS = frozenset({"yaml.dump", "yaml.safe_dump", "yaml.dump_all", "yaml.safe_dump_all"})
_FULL_LOADERS = frozenset({"yaml.FullLoader", "yaml.CFullLoader", "yaml.loader.FullLoader"})
