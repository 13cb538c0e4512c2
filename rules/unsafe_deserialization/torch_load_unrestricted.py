from collections.abc import Iterator
from dataclasses import dataclass

from packaging.version import Version

from mldebt.project import Project
from mldebt.project.demos import DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid, notebook

#: The first torch release whose `torch.load` defaults to `weights_only=True`.
_SAFE_DEFAULT = Version("2.6")
_LOAD = "import torch\nsd = torch.load('model.pt', map_location='cpu')\n"
#: A training module that checkpoints its run as a dict.
_RESUME_SAVE = ("import torch\ndef save(model, opt, epoch, path):\n"
                "    torch.save({'state_dict': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': epoch}, path)\n")


class TorchLoadUnrestricted(ProjectRule):
    """Loads a PyTorch checkpoint without restricting unpickling to weights.

    ## Why it matters
    `torch.load` is pickle: a checkpoint downloaded from a hub or shared through a bucket can
    run code. `weights_only=True` limits it to tensors and primitive types. Since torch 2.6
    that is the default, so a missing argument is a warning (the code is only unsafe on older
    torch), while an explicit `weights_only=False` is an error.

    ## Known limitations
    A missing `weights_only` is not reported where the manifests covering the file (those of
    the deepest enclosing folder that names torch: requirements, pyproject, conda, Dockerfile)
    require torch >= 2.6, nor inside a `torch.serialization.safe_globals(...)` block or a
    module that calls `torch.serialization.add_safe_globals` (both allow-list types for
    weights-only loading), nor in the `except TypeError:` fallback of a `try` that passes
    `weights_only` (the load for a torch that has no such argument). An unpinned `torch` may
    still resolve to an old release, so it is reported. The option `flag-missing = false`
    reports only an explicit `weights_only=False`.
    In a notebook that nothing runs, a missing `weights_only` is info; an explicit `False`
    stays an error. A load of the path the same module `torch.save`s to (a checkpoint it
    resumes from, a cache it builds, the weights a lesson saved a few cells above) is not
    reported, whatever `weights_only` says, nor one of a file another script of the
    repository saves at the same place or the repository commits (see MLD401): the rule's
    risk is a file from someone else. Nor is a load read back with two or more keys that one
    of the module's own saves stores (`ckpt["epoch"]`, `ckpt["optimizer"]` beside a
    `torch.save({"epoch": ..., "optimizer": ...}, path)`): a resume of the run the module
    checkpoints, in its own format, wherever the file is kept. A second load of the same file
    in the same function (a retry under `except ModuleNotFoundError:`, the other branch of a
    `map_location` choice), or at a module's top level through names the module binds once (a
    notebook's benchmark loading one downloaded file on the CPU, then on the GPU), is the same
    finding, reported once.

    ## References
    - PyTorch docs, `torch.load` and "Serialization semantics" (weights_only)
    - CVE-2025-32434 (torch.load RCE), CWE-502
    """

    id = "MLD402"
    name = "torch-load-unrestricted"
    category = Category.UNSAFE_DESERIALIZATION
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    in_tests = False
    reports_own_files = False

    @dataclass(frozen=True)
    class Options:
        #: Report `torch.load` calls that leave `weights_only` out (unsafe on torch < 2.6).
        flag_missing: bool = True

    INVALID = [
        Invalid("import torch\nstate = torch.load('ckpt.pt', weights_only=False)\n", line=2, message="weights_only=False"),
        Invalid("import torch as T\nstate = T.load(path, map_location='cpu')\n", message="without `weights_only=True`"),
        Invalid("from torch import load\nsd = load('model.pth')\n", line=2),
        Invalid("import torch\nsd = torch.hub.load_state_dict_from_url(url)\n"),
        # The folder's requirements allow torch before 2.6, or leave it open.
        Invalid(_LOAD, path="app/serve.py", line=2, files={"app/requirements.txt": "torch>=2.1\n"}),
        Invalid(_LOAD, path="app/serve.py", line=2, files={"app/requirements.txt": "torch\n"}),
        # The folder's own requirements come before the repository's.
        Invalid(_LOAD, path="app/serve.py", line=2,
                files={"requirements.txt": "torch>=2.6\n", "app/requirements.txt": "torch==2.4.1\n"}),
        # A lesson's notebook: a missing weights_only is a note there (see test_demos.py).
        Invalid(notebook(_LOAD), path="lesson.ipynb", message="without `weights_only=True`"),
        # An explicit False is unsafe on every torch.
        Invalid("import torch\nsd = torch.load('m.pt', weights_only=False)\n", path="app/serve.py", line=2,
                files={"app/requirements.txt": "torch>=2.6\n"}),
        # A fallback for another error, or after a try that never asked for restricted loading.
        Invalid("import torch\ntry:\n    sd = torch.load(p, weights_only=True)\nexcept RuntimeError:\n    sd = torch.load(p)\n", line=5),
        Invalid("import torch\ntry:\n    sd = torch.load(p)\nexcept TypeError:\n    sd = torch.load(q)\n", line=3),
        # One key in common with the module's own checkpoints is any published checkpoint's format.
        Invalid(_RESUME_SAVE + "def load(p):\n    ckpt = torch.load(p)\n    model.load_state_dict(ckpt['state_dict'])\n",
                line=5),
        # A converter edits a downloaded checkpoint's keys and saves it again: the format is not its own.
        Invalid("import torch\ndef merge(old, new, out):\n    sd = torch.load(old)\n    extra = torch.load(new)\n"
                "    sd['output.weight'] = extra['out']\n    sd['tok.weight'] = extra['tok']\n    torch.save(sd, out)\n",
                line=3),
        # A key the module never writes: another program's format.
        Invalid(_RESUME_SAVE + "def load(p):\n    ckpt = torch.load(p)\n    return ckpt['state_dict'], ckpt['ema']\n",
                line=5),
    ]
    VALID = [
        "import torch\nstate = torch.load('ckpt.pt', weights_only=True)\n",
        "import torch\nstate = torch.load(path, map_location='cpu', weights_only=True)\n",
        "import torch\nstate = torch.load(path, **load_kwargs)\n",
        "import torch\nstate = torch.load(path, weights_only=args.safe)\n",
        "import torch\ntorch.save(model.state_dict(), 'ckpt.pt')\n",
        "from safetensors.torch import load_file\nsd = load_file('model.safetensors')\n",
        # torch >= 2.6 defaults to weights_only=True.
        Valid(_LOAD, path="imagenet/main.py", files={"imagenet/requirements.txt": "torch>=2.6\ntorchvision\n"}),
        Valid(_LOAD, path="src/app/serve.py", files={"pyproject.toml": "[project]\nname='a'\ndependencies=['torch>=2.6,<3']\n"}),
        # Types allow-listed for weights-only loading: the load is meant to be restricted.
        "import torch\nwith torch.serialization.safe_globals([Config]):\n    sd = torch.load('m.pt')\n",
        "import torch\ntorch.serialization.add_safe_globals([Config])\nsd = torch.load('m.pt')\n",
        # The fallback for a torch without `weights_only`: restricted wherever torch can restrict.
        "import torch\ntry:\n    sd = torch.load(p, weights_only=True)\nexcept TypeError:\n    sd = torch.load(p)\n",
        # A resume: the object is read back with the keys the module's own checkpoints store.
        _RESUME_SAVE + "if args.resume:\n    ckpt = torch.load(args.resume)\n    start = ckpt['epoch']\n"
                       "    model.load_state_dict(ckpt['state_dict'])\n    opt.load_state_dict(ckpt.get('optimizer'))\n",
        ("import torch\ndef train(model, opt, exp_dir, step):\n    state = {'model': model.state_dict()}\n"
         "    state['optimizer'] = opt.state_dict()\n    torch.save(obj=state, f=exp_dir / f'iter_{step}.pt')\n"
         "def resume(model, opt, latest):\n    state = torch.load(latest)\n    model.load_state_dict(state['model'])\n"
         "    opt.load_state_dict(state['optimizer'])\n"),
        ("import torch\ndef save_checkpoint(state, filename):\n    torch.save(state, filename)\n"
         "save_checkpoint({'epoch': 3, 'arch': arch, 'best_acc1': best}, 'checkpoint.pth.tar')\n"
         "checkpoint = torch.load(args.resume)\nstart, best = checkpoint['epoch'], checkpoint['best_acc1']\n"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        for path, (_, facts) in project.files.items():
            if not facts.checkpoint_loads or not self.reports(path):
                continue
            floor = project.floor(path, "torch")
            for load in facts.checkpoint_loads:
                if load.own_file:
                    continue  # the module's own checkpoint or cache
                if not load.explicit and (not self.options.flag_missing or (floor is not None and floor >= _SAFE_DEFAULT)):
                    continue
                site = load.site
                yield ProjectFinding(
                    site.line,
                    load.message,
                    hint=load.hint,
                    column=site.column,
                    end_line=site.end_line,
                    end_column=site.end_column,
                    severity=None if load.explicit else self._missing_severity(project, path),
                    confidence=None if load.explicit else Confidence.MEDIUM,
                    path=path,
                )

    @staticmethod
    def _missing_severity(project: Project, path: str) -> Severity:
        """A missing `weights_only` matters where the code runs unattended; a lesson's notebook
        that reloads what it saved gets a note."""
        return Severity.INFO if project.demo(path) == DEMO_NOTEBOOK else Severity.WARNING
