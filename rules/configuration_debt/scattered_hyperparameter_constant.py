from collections import defaultdict
from collections.abc import Iterator

from mldebt.rules.configuration_debt import code_sites, shown

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


class ScatteredHyperparameterConstant(ProjectRule):
    """Module-level hyperparameter constants (`LEARNING_RATE = 3e-4`, `BATCH_SIZE = 64`) spread over several modules.

    ## Why it matters
    One module of constants is a config file in all but name; the same constants spread over
    `train.py`, `model.py` and `data.py` are configuration nobody can see at once, and the
    values a run used can only be recovered from the commit. Each constant is reported,
    naming the other modules that define hyperparameters.

    ## Known limitations
    Only UPPER_CASE names that `rules/knowledge/hyperparameters.yaml` knows. Configuration
    modules (`configs/`, `config.py`, `settings.py`, `hparams.py`, ...), modules whose
    globals a configurator overrides (`exec(open(...).read())`, `globals().update`), and
    constants that all live in one module are not reported. Evidence of scattering: two
    modules of one project (see `conflicting-hyperparameter`) that one run loads together
    (one imports the other, or one file imports both). Not evidence: independent examples
    side by side, a tutorial and the library it uses, nor two modules of one package that
    nothing imports together (a template's alternative models, each with its own
    `constants.py`, one picked by a setting).

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 7 (configuration debt)
    """

    id = "MLD102"
    name = "scattered-hyperparameter-constant"
    category = Category.CONFIGURATION_DEBT
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid("from data import load\nLEARNING_RATE = 3e-4\nEPOCHS = 20\n", path="train.py", line=2, message="data.py",
                files={"data.py": "BATCH_SIZE = 64\n"}),
        # Neither module imports the other, but one entry point loads both.
        Invalid("LEARNING_RATE = 3e-4\n", path="pkg/model.py", line=1, message="pkg/data.py",
                files={"pkg/__init__.py": "", "pkg/data.py": "BATCH_SIZE = 64\n",
                       "pkg/train.py": "from pkg import model, data\n"}),
    ]
    VALID = [
        Valid("LEARNING_RATE = 3e-4\nEPOCHS = 20\nBATCH_SIZE = 64\n", path="train.py"),
        # Two independent examples, each with its own constants.
        Valid("LEARNING_RATE = 3e-4\n", path="examples/gan/train.py", files={"examples/vit/train.py": "BATCH_SIZE = 64\n"}),
        Valid("LEARNING_RATE = 3e-4\n", path="train.py", files={"config.py": "BATCH_SIZE = 64\n"}),
        # Two scripts that import one helper are two projects, each with its own constants.
        Valid("import helpers\nLEARNING_RATE = 3e-4\n", path="chapter_1.py",
              files={"helpers.py": "def plot(x): pass\n", "chapter_2.py": "import helpers\nBATCH_SIZE = 64\n"}),
        Valid("LEARNING_RATE = 3e-4\nexec(open('configurator.py').read())\n", path="train.py",
              files={"data.py": "BATCH_SIZE = 64\n"}),
        Valid("MAX_LEN = 512\nNUM_CLASSES = 10\n", path="train.py", files={"data.py": "IMAGE_SIZE = 224\n"}),
        # Alternative models of one template package, each with its own constants; a setting
        # picks one (`RUN_FN = "models.keras.model.run_fn"`), nothing imports both.
        Valid("LEARNING_RATE = 3e-4\n", path="tpl/models/keras/constants.py",
              files={"tpl/__init__.py": "", "tpl/models/__init__.py": "", "tpl/models/keras/__init__.py": "",
                     "tpl/models/estimator/__init__.py": "", "tpl/models/estimator/constants.py": "BATCH_SIZE = 64\n",
                     "tpl/models/keras/model.py": "from models.keras import constants\n",
                     "tpl/models/estimator/model.py": "from models.estimator import constants\n",
                     "tpl/pipeline/configs.py": "RUN_FN = 'models.keras.model.run_fn'\n"}),
        Valid("LR = 3e-4\nglobals().update(load_overrides())\n", path="train.py", files={"data.py": "BATCH_SIZE = 64\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        by_file = defaultdict(list)
        for path, site in code_sites(project):
            if site.source == "constant":
                by_file[path].append(site)
        for path, sites in by_file.items():
            if not self.reports(path):
                continue
            # Scattered within one run's code; independent examples, and alternative models
            # of one package that no run loads together, each keep their own.
            others = [
                p for p in by_file
                if p != path and project.same_configuration(path, p) and project.run_together(path, p)
            ]
            if not others:
                continue
            for site in sites:
                yield ProjectFinding(
                    site.line,
                    f"hyperparameter constant `{site.written} = {shown(site.value)}`; others are defined in {', '.join(others)}",
                    hint="gather hyperparameters in one config file (YAML, a dataclass) and read them from there",
                    column=site.column,
                    path=path,
                    related=tuple((p, by_file[p][0].line) for p in others),
                )
