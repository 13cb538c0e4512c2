from __future__ import annotations

from collections.abc import Iterator

from mldebt.extract.facts import NondeterminismSwitch
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_SEEDED = "import torch\ntorch.manual_seed(0)\n"
_TRAIN = "for epoch in range(3):\n    loss.backward()\n"


class DeterminismSwitchedOff(ProjectRule):
    """A seeded training run switches deterministic kernels off (`cudnn.benchmark = True`, `use_deterministic_algorithms(False)`).

    ## Why it matters
    The run seeds its generators, so it means to be repeatable, but cuDNN's autotuner and
    non-deterministic kernels make two runs with the same seed differ. It is often a deliberate
    speed trade, hence information only: make it a config switch so a reproducible run is one
    flag away.

    ## Known limitations
    Reported only in code a training entry point reaches whose run seeds at least one generator.
    A value read from config is not a switch.

    ## References
    - PyTorch notes, "Reproducibility" (cuDNN benchmark, deterministic algorithms)
    - Breck et al. 2017, The ML Test Score, Infra 1: training is reproducible
    """

    id = "MLD703"
    name = "determinism-switched-off"
    category = Category.REPRODUCIBILITY
    severity = Severity.INFO
    confidence = Confidence.HIGH
    in_tests = False
    INVALID = [
        Invalid(_SEEDED + "torch.backends.cudnn.benchmark = True\n" + _TRAIN, path="train.py", line=3,
                message="`torch.backends.cudnn.benchmark = True`"),
        Invalid(_SEEDED + "torch.use_deterministic_algorithms(False)\n" + _TRAIN, path="train.py", line=3),
        Invalid(  # one speed choice, one finding
            _SEEDED + "torch.backends.cudnn.benchmark = True\ntorch.backends.cudnn.deterministic = False\n" + _TRAIN,
            path="train.py", line=3, message="`torch.backends.cudnn.benchmark = True` and `torch.backends.cudnn.deterministic = False`",
        ),
    ]
    VALID = [
        Valid("import torch\ntorch.backends.cudnn.benchmark = True\n" + _TRAIN, path="train.py"),  # MLD701's business
        Valid(_SEEDED + "torch.backends.cudnn.benchmark = cfg.benchmark\n" + _TRAIN, path="train.py"),
        Valid(_SEEDED + "torch.backends.cudnn.benchmark = True\nmodel.eval()\n", path="infer.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        """One finding per function that switches determinism off: `cudnn.benchmark = True`
        and `cudnn.deterministic = False` side by side are one speed choice, reported at the
        first switch and naming them all."""
        by_function: dict[tuple[str, str], dict[int, NondeterminismSwitch]] = {}
        for run in project.training_runs:
            if run.seeds:
                for path, switch in run.switches:
                    by_function.setdefault((path, switch.function), {})[switch.line] = switch
        for (path, _), switches in sorted(by_function.items()):
            ordered = [switches[line] for line in sorted(switches)]
            settings = " and ".join(f"`{switch.setting}`" for switch in ordered)
            verb = "makes" if len(ordered) == 1 else "make"
            yield ProjectFinding(
                ordered[0].line,
                f"{settings} {verb} this seeded training run non-deterministic",
                hint="read it from config, so a reproducible run is one switch away",
                path=path, column=ordered[0].column,
            )
