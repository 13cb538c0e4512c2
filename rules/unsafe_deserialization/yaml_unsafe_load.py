import libcst as cst

from mldebt.extract.context import call_argument
from mldebt.knowledge import report_guarded_call
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity


class YamlUnsafeLoad(PythonRule):
    """Parses YAML with a loader that can construct arbitrary Python objects.

    ## Why it matters
    Experiment configs and dataset cards are YAML, often downloaded. `yaml.load` with the full
    `Loader` (or `yaml.unsafe_load`) honours `!!python/object` tags and so runs code;
    `yaml.safe_load` builds only plain data.

    `Loader=yaml.FullLoader` is reported as a warning: it refuses most tags, but could still run
    code before PyYAML 5.4 (CVE-2020-14343), and only the safe loader is safe by design
    (bandit B506 flags it too).

    ## Known limitations
    A custom loader class is assumed safe; `ruamel.yaml` is not covered. Text the same code
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
    ]

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
                    f"`yaml.load` with `{name}` is not the safe loader: it could run code before PyYAML 5.4",
                    "use `yaml.safe_load` (or `Loader=yaml.SafeLoader`)",
                    severity=Severity.WARNING,
                    confidence=Confidence.MEDIUM,
                )
                return
        report_guarded_call(self, node, "deserialization")


_LOADS = frozenset({"yaml.load", "yaml.load_all"})
_DUMPS = frozenset({"yaml.dump", "yaml.safe_dump", "yaml.dump_all", "yaml.safe_dump_all"})
_FULL_LOADERS = frozenset({"yaml.FullLoader", "yaml.CFullLoader", "yaml.loader.FullLoader"})
