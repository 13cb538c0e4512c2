import dataclasses
import fnmatch
import functools
import posixpath
import re
from collections.abc import Iterator

from mldebt.discover import CONFIG_DIRS, FileKind, is_test_path
from mldebt.knowledge import load_table
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

#: Keys that configuration frameworks read themselves (hydra, OmegaConf; `_base_`
#: inheritance in yacs/fvcore/detectron2 and mmcv configs), lower-cased.
_FRAMEWORK_KEYS = frozenset(
    {"defaults", "_target_", "_self_", "_recursive_", "_convert_", "_partial_", "hydra", "_base_"}
)
#: Sections hydra reads itself, wherever they appear: its own settings and the defaults list.
_HYDRA_SECTIONS = frozenset({"hydra", "defaults"})
_TRAIN = "import yaml\ncfg = yaml.safe_load(open('configs/train.yaml'))\n"
_DEPLOYMENT = "compliance:\n  threshold: 0.8\n  region: eu\n  owner: risk\n"
_JOINED = (  # a pipeline given its config file's path (ZenML's `with_options(config_path=...)`)
    "import os\nfrom pathlib import Path\nfrom pipelines import deploy\n\n"
    "def main(config_dir: str = 'src/configs'):\n    config_dir = Path(config_dir)\n    if not config_dir.is_absolute():\n"
    "        config_dir = Path(os.path.dirname(os.path.realpath(__file__))) / config_dir\n"
    "    deploy.with_options(config_path=str(config_dir / 'deployment.yaml'))()\n\n"
    "def check(compliance):\n    return compliance.region, compliance.owner\n"
)
_DEEPSPEED = (
    '{"train_batch_size": 96, "train_micro_batch_size_per_gpu": 3, "steps_per_print": 100,\n'
    ' "optimizer": {"type": "OnebitAdam", "params": {"lr": 3e-5, "weight_decay": 0.0, "freeze_step": 400}},\n'
    ' "data_efficiency": {"enabled": true, "seed": 1234}}\n'
)
#: Code that names most of the DeepSpeed keys for its own reasons (so no mapping looks handed over whole).
_DS_TRAIN = ("import deepspeed\ndef f(args, cfg, model):\n    print(args.lr, args.weight_decay, args.seed, cfg.enabled, cfg.type)\n"
             "    print(args.train_batch_size, args.train_micro_batch_size_per_gpu, args.steps_per_print, cfg.optimizer)\n"
             "    return deepspeed.initialize(args=args, model=model, config=args.deepspeed_config)\n")
_ZENML = (
    "settings:\n  docker:\n    parent_image: pytorch/pytorch\n    environment:\n      AWS_REGION: eu\n      GIT_TRACE: 1\n"
    "steps:\n  finetune:\n    step_operator: gcp_a100\n    retry:\n      max_retries: 3\n      delay: 10\n"
    "    parameters:\n      max_steps: 300\n"
)
#: ZenML code names some of its settings in Python too (so no mapping looks handed over whole).
_ZENML_STEP = ("import os\nfrom zenml import step\nfrom zenml.config import DockerSettings, StepRetryConfig\n"
               "docker = DockerSettings(parent_image='python:3.11', environment={})\n"
               "@step(step_operator='local', retry=StepRetryConfig(max_retries=2))\ndef finetune(max_steps: int):\n"
               "    return os.environ['AWS_REGION'], max_steps\n")
_LOGGING = ("version: 1\nformatters:\n  plain:\n    format: '%(message)s'\nhandlers:\n  file:\n"
            "    class: logging.handlers.RotatingFileHandler\n    formatter: plain\n    maxBytes: 1048576\n"
            "root:\n  handlers: [file]\n")
_LOGGING_APP = ("import logging.config, yaml\ndef setup(formatter, file):\n"
                "    cfg = yaml.safe_load(open('configs/logging.yaml'))\n    logging.config.dictConfig(cfg)\n"
                "    for name, handler in cfg['handlers'].items():\n"
                "        print(name, handler['class'], handler['formatter'], cfg['version'], cfg['root'])\n")
_SPREAD = ("def deploy(endpoint_cfg: dict, region: str):\n    service = ServiceConfig(**endpoint_cfg)\n"
           "    return service.framework, service.task, region\n")


def loaded_example(example: Invalid) -> Invalid:
    """`example` with a script that loads its config file by name."""
    loader = f"import yaml\nCONFIG = yaml.safe_load(open({example.path!r}))\n"
    return dataclasses.replace(example, files={**example.files, "load_config.py": loader})


class UnreadConfigKey(ProjectRule):
    """A key of an experiment config file that no code reads.

    ## Why it matters
    A config key nobody reads is a knob that turns nothing: someone sets `warmup_steps: 500`
    for a run, the run ignores it, and the experiment log records a setting that never
    applied. A key counts as read when its name appears in the code as an attribute,
    a subscript or `.get()` string, a keyword or parameter name (`**cfg` unpacking), or in
    another key's `${interpolation}`, or matches a name the code computes with an f-string
    (`cfg.get(f"{loss}_kwargs")` reads `tdt_kwargs`).

    ## Who owns the file
    A key is the code's to read only in a file the code owns: one it loads (names the file in
    a string, opens it, or composes its folder with hydra; a path joined from a folder the
    code spells out, `config_dir / "deployment.yaml"` with `config_dir` a literal, a constant,
    the script's folder or a parameter's default, is resolved), or a sibling of one in its folder
    (alternatives picked on the command line). A config file no code names is read by a tool
    (a Kedro data catalog, a CI system's config, an evaluation harness's task files) and is
    not checked. A key is read when the code
    hands its parent mapping whole to something that is not the project's own code, and a
    file (or a part of it) that belongs to a tool by its schema is read by that tool,
    whatever its name in one repository: a DeepSpeed config (DeepSpeed reads every key of its
    schema, so `optimizer.params.freeze_step` is read although no code names it), a ZenML
    pipeline config (`settings.docker.*`, `steps.<step>.retry`), a launcher's run file
    (accelerate, Ray, SkyPilot), Python's logging configuration. The tool formats are data: `formats` and `tools` in
    `rules/knowledge/config_consumers.yaml`. Inside a tool's file, keys outside its schema
    are still the code's: a `cuda_visible_devices` in a DeepSpeed config that no code reads
    is dead, and so is a ZenML step parameter the step function does not take.

    ## Known limitations
    Keys are matched by name (case and `-`/`_` ignored), not by path, so a key is taken as
    read when any code reads a key of that name. A mapping (or a file) most of whose keys the
    code never names, or one with a hydra `_target_`, is taken as handed over whole (to a
    library or a constructor) and its keys are not reported; so are the sections listed in
    `rules/knowledge/config_consumers.yaml` (DeepSpeed's `fp16`, `zero_optimization`, ...),
    which a library reads itself. Hydra's own keys (`hydra:`, the `defaults:` list) and config
    groups whose object is built whole (a group folder such as `configs/trainer/` where a file
    has a top-level `_target_`: its files, and any `trainer:` section elsewhere) are read by
    hydra and the constructor. YAML of other tools (Kubernetes, Grafana provisioning,
    docker-compose, mkdocs, CI, Prometheus, pre-commit, ...) is not an experiment config.
    A nested subtree the code hands whole to what reads all of it
    (`OmegaConf.to_container(cfg.model.config)`), a section it spreads into a call
    (`Trainer(**cfg.trainer)`, or `Service(**endpoint_cfg)` of a function parameter bound by
    name to the key `endpoint_cfg`, as a pipeline step's parameters are) or iterates (`for m in cfg.analyst.metadata:`), and a
    `*_kwargs` mapping it reads are read, keys and all; so is a YAML anchor that aliases in
    the file reuse, and a mapping whose entries are each built from a class named in them
    (`cls_name`). A section nothing reads is one finding, at the section. A file whose values
    are mostly sentences (prompts by category) is text data, not a config. Where configs are consumed
    wholesale (`**cfg`, `hydra.utils.instantiate`) findings drop to low confidence.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths) and sec. 7 (configuration debt)
    """

    id = "MLD204"
    name = "unread-config-key"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    # Every must-flag example loads its config from code (`loaded_example`): only such a file is the code's.
    INVALID = [loaded_example(example) for example in [
        # One object among other settings does not make the group a collection of objects.
        Invalid("logger:\n  wandb:\n    group: mnist\n  aim:\n    experiment: mnist\n", path="configs/experiment/example.yaml",
                line=4, message="`logger.aim`",
                files={"configs/run/base.yaml": "optim:\n  _target_: torch.optim.Adam\nlogger: csv\n",
                       "train.py": "def f(cfg):\n    return cfg.run.optim, cfg.logger.wandb.group, cfg.experiment\n"}),
        # A computed name reads the keys it can spell, not the others; one of two values spells anything.
        Invalid("loss:\n  name: tdt\n  reduction: mean\n  old_scale: 2\n  tdt_kwargs:\n    sigma: 0.05\n", path="conf/model.yaml",
                line=4, message="`loss.old_scale`",
                files={"model.py": "def f(cfg, split, i):\n    kw = cfg.loss.get(f'{cfg.loss.name}_kwargs')\n"
                                   "    log(f'{split}_scale{i}')\n    return cfg.loss.reduction, kw.sigma\n"}),
        # A top-level section handed whole is read by the names the constructor uses.
        Invalid("model:\n  dim: 64\n  old_dim: 32\n", path="conf/a.yaml", line=3, message="`model.old_dim`",
                files={"train.py": "from omegaconf import OmegaConf\ndef f(cfg):\n    print(cfg.model.dim)\n"
                                   "    return OmegaConf.to_container(cfg.model)\n"}),
        # A sibling of the subtree handed whole is still checked.
        Invalid("model:\n  dim: 64\n  old_dim: 32\n  lm:\n    config:\n      hidden_size: 768\n", path="conf/bert.yaml",
                line=3, message="`model.old_dim`",
                files={"bert.py": "from omegaconf import OmegaConf\ndef f(cfg):\n    print(cfg.model.dim)\n"
                                  "    return OmegaConf.to_container(cfg.model.lm.config)\n"}),
        # A group whose files are not built whole still has its keys checked.
        Invalid("defaults:\n  - base\nlr: 0.1\nold_warmup: 5\n", path="configs/optim/fast.yaml", line=4,
                message="`old_warmup`", files={"configs/optim/base.yaml": "lr: 0.2\n",
                                               "train.py": "def f(cfg):\n    return cfg.optim.lr\n"}),
        # An anchor nothing aliases is an ordinary key; a key that takes an alias is one too.
        Invalid("model:\n  dim: &dim 64\n  old_dim: &old 32\n  enc:\n    out: *dim\n", path="conf/a.yaml", line=3,
                message="`model.old_dim`", files={"train.py": "def f(cfg):\n    return cfg.model.enc.out\n"}),
        Invalid("model:\n  dim: &dim 64\n  enc:\n    out: *dim\n    old_out: *dim\n", path="conf/a.yaml", line=5,
                message="`model.enc.old_out`", files={"train.py": "def f(cfg):\n    return cfg.model.enc.out\n"}),
        # A `*_kwargs` mapping the code never reads is reported, at the mapping.
        Invalid("model:\n  dim: 64\n  timer_kwargs:\n    log_mode: 1\n    log_level: 2\n", path="conf/a.yaml", line=3,
                message="`model.timer_kwargs`",
                files={"train.py": "def f(cfg, o):\n    return cfg.model.dim, o.log_mode, o.log_level\n"}),
        # Entries of a mapping that are not all objects built from a class name are still checked.
        Invalid("loss:\n  mim:\n    cls_name: a_mim\n    weight: 1.0\n  old_weight: 2\n", path="conf/a.yaml", line=5,
                message="`loss.old_weight`", files={"train.py": "def f(cfg):\n    return cfg.loss.mim, cfg.cls_name, cfg.weight\n"}),
        # A sibling of the section the code iterates is still checked.
        Invalid("analyst:\n  metadata:\n    age:\n      enable: false\n  old_cutoff: 3\n", path="conf/eval.yaml", line=5,
                message="`analyst.old_cutoff`",
                files={"eval.py": "def f(cfg):\n    for target, meta in cfg.analyst.metadata.items():\n"
                                  "        print(target, meta.enable)\n"}),
        # A JSON file of settings, even one with a sentence in it, is a config.
        Invalid('{"epochs": 3, "old_schedule": "cosine", "note": "tuned on the dev split last week"}\n',
                path="configs/run.json", message="`old_schedule`",
                files={"train.py": "import json\ncfg = json.load(open('configs/run.json'))\nprint(cfg['epochs'], cfg['note'])\n"}),
        Invalid("train:\n  lr: 0.001\n  warmup_steps: 500\n", path="configs/train.yaml", line=3,
                message="`train.warmup_steps`", files={"train.py": _TRAIN + "lr = cfg['train']['lr']\n"}),
        # A DeepSpeed config's keys are DeepSpeed's; a key that is no DeepSpeed key and that no code reads is dead.
        Invalid(_DEEPSPEED.replace('"steps_per_print": 100,', '"steps_per_print": 100, "cuda_visible_devices": 0,'),
                path="configs/ds_config.json", message="`cuda_visible_devices`", files={"train.py": _DS_TRAIN}),
        # A ZenML step parameter that the step function does not take is dead; ZenML reads only its own keys.
        Invalid(_ZENML.replace("max_steps: 300", "max_steps: 300\n      old_steps: 20"), path="configs/finetune.yaml",
                line=15, message="`steps.finetune.parameters.old_steps`", files={"steps/finetune.py": _ZENML_STEP}),
        # A logging config's own section that no code reads is dead; logging reads only its schema.
        Invalid(_LOGGING + "retention:\n  days: 3650\n  old_days: 30\n", path="configs/logging.yaml", line=14,
                message="`retention.old_days`", files={"app.py": _LOGGING_APP + "    days = cfg['retention']['days']\n"}),
        # A sibling of a parameter spread into a call is still checked.
        Invalid("deploy:\n  region: eu\n  old_region: us\n  endpoint_cfg:\n    framework: pytorch\n    task: generation\n",
                path="configs/deploy.yaml", line=3, message="`deploy.old_region`", files={"deploy.py": _SPREAD}),
        Invalid('{"epochs": 3, "old_schedule": "cosine", "seed": 0}\n', path="configs/run.json", message="`old_schedule`",
                files={"train.py": "import json\ncfg = json.load(open('configs/run.json'))\nprint(cfg['epochs'], cfg['seed'])\n"}),
    ]] + [
        # A config file loaded by joining a folder the code spells out (a parameter's default,
        # made absolute from the script's folder) to its name.
        Invalid(_DEPLOYMENT, path="app/src/configs/deployment.yaml", line=2,
                message="`compliance.threshold`", files={"app/run.py": _JOINED}),
    ]
    VALID = [
        Valid("train:\n  lr: 0.001\n", path="configs/train.yaml", files={"train.py": _TRAIN + "lr = cfg['train']['lr']\n"}),
        # a folder the code computes at run time: which `deployment.yaml` it joins is not guessed
        Valid(_DEPLOYMENT, path="app/src/configs/deployment.yaml",
              files={"app/run.py": _JOINED.replace("config_dir: str = 'src/configs'", "config_dir: str")}),
        Valid("model:\n  dim: 64\n", path="conf/model.yaml", files={"train.py": "def run(cfg):\n    return cfg.model.dim\n"}),
        Valid("optim:\n  _target_: torch.optim.AdamW\n  weight_decay: 0.01\ndefaults:\n  - _self_\n", path="conf/config.yaml",
              files={"train.py": "from hydra.utils import instantiate\ndef run(cfg, p):\n    return instantiate(cfg.optim, p)\n"}),
        Valid("base_lr: 0.1\nlr: ${base_lr}\n", path="configs/a.yaml", files={"train.py": "def f(cfg):\n    return cfg.lr\n"}),
        Valid("epochs: 3\n", path="configs/a.yaml", files={"train.py": "def fit(epochs):\n    pass\ndef main(cfg):\n    fit(**cfg)\n"}),
        Valid("lr: 0.1\nzero_optimization:\n  stage: 2\n  overlap_comm: true\n", path="configs/ds.yaml",
              files={"train.py": "def f(cfg):\n    return cfg.lr\n"}),
        Valid("tensorboard-dir: runs\n", path="configs/a.yaml", files={"train.py": "def f(a):\n    return a.tensorboard_dir\n"}),
        Valid("lr: 0.1\nfp16:\n  enabled: true\n  initial_scale_power: 12\n", path="configs/ds.yaml",
              files={"train.py": "def f(cfg):\n    return cfg.lr, cfg.fp16.enabled\n"}),
        # Hydra: the defaults list, hydra's own settings, and a config group built whole.
        Valid("defaults:\n  - trainer: default\n  - override hydra/job_logging: disabled\nhydra:\n  run:\n    dir: out\n",
              path="configs/train.yaml", files={"train.py": "def f(cfg):\n    return cfg.seed\n"}),
        Valid("defaults:\n  - default\nstrategy: ddp\nnum_nodes: 1\nsync_batchnorm: true\n", path="configs/trainer/ddp.yaml",
              files={"configs/trainer/default.yaml": "_target_: lightning.Trainer\nmax_epochs: 10\n",
                     "train.py": "import hydra\ndef f(cfg):\n    return hydra.utils.instantiate(cfg.trainer)\n"}),
        # A subtree converted whole into a library's own config object.
        Valid("model:\n  dim: 64\n  lm:\n    config:\n      hidden_size: 768\n      attention_probs_dropout_prob: 0.1\n",
              path="conf/bert.yaml",
              files={"bert.py": "from omegaconf import OmegaConf\nclass M:\n    def __init__(self, cfg):\n"
                                "        self.dim = cfg.model.dim\n        self.hidden_size = 1\n"
                                "        d = OmegaConf.to_container(self.cfg.model.lm.config)\n"}),
        # A key looked up by a computed name.
        Valid("loss:\n  name: tdt\n  reduction: mean\n  tdt_kwargs:\n    sigma: 0.05\n  rnnt_kwargs:\n    clamp: 1\n",
              path="conf/model.yaml",
              files={"model.py": "def f(cfg):\n    kw = cfg.loss.get(f'{cfg.loss.name}_kwargs')\n"
                                 "    return cfg.loss.reduction, kw.sigma, kw.clamp\n"}),
        # A group whose files each hold a collection of objects, built one by one by a helper.
        Valid("logger:\n  wandb:\n    group: mnist\n  aim:\n    experiment: mnist\n", path="configs/experiment/example.yaml",
              files={"configs/logger/aim.yaml": "aim:\n  _target_: aim.AimLogger\n  experiment: null\n",
                     "configs/logger/wandb.yaml": "wandb:\n  _target_: WandbLogger\n  group: null\n",
                     "train.py": "import hydra\ndef f(cfg):\n    print(cfg.experiment, cfg.logger.wandb.group)\n"
                                 "    return [hydra.utils.instantiate(c) for c in cfg.get('logger').values()]\n"}),
        Valid("trainer:\n  overfit_batches: 3\n", path="configs/debug/overfit.yaml",
              files={"configs/trainer/default.yaml": "_target_: lightning.Trainer\nmax_epochs: 10\n",
                     "train.py": "import hydra\ndef f(cfg):\n    return hydra.utils.instantiate(cfg.trainer)\n"}),
        # A `target` + `params` mapping built whole by a constructor (latent-diffusion style).
        Valid("data:\n  target: main.DataModule\n  params:\n    batch_size: 4\n    crop_size: 256\n", path="configs/ae.yaml",
              files={"main.py": "def build(config):\n    print(config['params']['batch_size'])\n"
                                 "    return get_obj(config['target'])(**config.get('params', {}))\n"}),
        # Other tools' YAML in a config folder: Grafana provisioning, Kubernetes, docker-compose.
        Valid("apiVersion: 1\ndatasources:\n  - name: PostgreSQL\n    jsonData:\n      sslmode: disable\n",
              path="config/grafana_datasources.yaml", files={"app.py": "x = 1\n"}),
        Valid("apiVersion: v1\nkind: Service\nmetadata:\n  name: model\nspec:\n  ports: []\n",
              path="config/service.yaml", files={"app.py": "x = 1\n"}),
        # An OpenTelemetry Collector's pipelines, read by the collector's container.
        Valid("receivers:\n  otlp:\n    endpoint: x\nprocessors:\n  batch: {}\nexporters:\n  debug:\n    verbosity: detailed\n"
              "extensions:\n  health_check: {}\nservice:\n  extensions: [health_check]\n  pipelines:\n"
              "    metrics:\n      receivers: [otlp]\n", path="dashboard/otel-collector-config.yml",
              files={"app.py": "def show(c):\n    return (c.receivers.otlp.endpoint, c.processors.batch, c.exporters.debug.verbosity,\n"
                     "            c.extensions.health_check, c.service.extensions)\n"}),
        # A tokenizer's files, read by transformers.
        Valid('{"bos_token": "<s>", "model_max_length": 2048, "tokenizer_class": "LlamaTokenizer"}\n',
              path="configs/tokenizer/tokenizer_config.json",
              files={"app.py": "def f(tok):\n    return tok.bos_token, tok.model_max_length\n"}),

        # YAML anchors reused by aliases (`&final_dim` ... `*final_dim`, `<<: *base`): the file reads them.
        Valid("model:\n  final_dim: &final_dim 256\n  base: &base\n    lr: 0.1\n  dec:\n    feat_out: *final_dim\n"
              "  train:\n    <<: *base\n", path="conf/a.yaml",
              files={"train.py": "def f(cfg):\n    return cfg.model.dec.feat_out, cfg.model.train.lr\n"}),
        # `*_kwargs` mappings the code reads, and sections it spreads into a call, are handed on whole.
        Valid("exp:\n  neptune_kwargs:\n    project: null\n    log_model_checkpoints: false\n"
              "trainer_opts:\n  benchmark: true\n  devices: 2\n", path="conf/a.yaml",
              files={"train.py": "def f(cfg):\n    make_logger(cfg.exp.neptune_kwargs)\n"
                                 "    return Trainer(**cfg.trainer_opts)\n"}),
        # A section the code iterates: every entry is read, whatever its name.
        Valid("analyst:\n  metadata:\n    duration:\n      enable: true\n    age:\n      enable: false\n",
              path="conf/eval.yaml",
              files={"eval.py": "def f(cfg):\n    for target in cfg.analyst.metadata:\n"
                                "        if cfg.analyst.metadata[target].enable:\n            report(target)\n"}),
        # A mapping whose entries are each built from a class name (`cls_name`) is a collection.
        Valid("loss:\n  mim:\n    cls_name: a_mim\n    weight: 1.0\n  logP_cls:\n    cls_name: guided\n    weight: 0.1\n",
              path="conf/a.yaml", files={"train.py": "def f(cfg):\n    return [build(c.pop('cls_name'), c) for c in cfg.loss.values()], cfg.mim\n"}),
        # Who owns the file: a DeepSpeed config (DeepSpeed reads its optimizer's params and its sections),
        Valid(_DEEPSPEED, path="configs/ds_config.json", files={"train.py": _DS_TRAIN}),
        # a ZenML pipeline config (ZenML reads the image's settings and a step's retry policy),
        Valid(_ZENML, path="configs/finetune.yaml", files={"steps/finetune.py": _ZENML_STEP}),
        # Python's logging configuration (read by `logging.config.dictConfig`),
        Valid(_LOGGING, path="configs/logging.yaml", files={"app.py": _LOGGING_APP}),
        # a launcher's run file (accelerate),
        Valid("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nmixed_precision: bf16\nnum_processes: 8\n",
              path="configs/accelerate/multi_gpu.yaml",
              files={"train.py": "from accelerate import Accelerator\ndef f(cfg):\n"
                                 "    return Accelerator(mixed_precision=cfg.precision), cfg.num_processes\n"}),
        # and a step parameter the code spreads into a library's constructor, which reads all of it.
        Valid("deploy:\n  region: eu\n  endpoint_cfg:\n    framework: pytorch\n    task: generation\n    max_replica: 1\n",
              path="configs/deploy.yaml", files={"deploy.py": _SPREAD}),
        # A JSON file of sentences (prompts by category) is text data, not settings.
        Valid('{"short": ["Explain quantum computing in one paragraph.", "Write a haiku about machine learning."],\n'
              ' "medium": ["Compare prompt tuning and prefix tuning for large models."]}\n', path="configs/prompts.json",
              files={"data.py": "import json\ndef f():\n    return {c: p for c, p in json.load(open('configs/prompts.json')).items()}\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        if not any(kind in FileKind.CODE for kind, _ in project.files.values()):
            return
        configs = {
            path: facts.config_keys for path, (kind, facts) in project.files.items()
            if kind == FileKind.CONFIG and not is_test_path(path) and not _other_tools(facts.config_keys)
        }
        # A key is the code's to read only in a file the code loads (names, opens or composes),
        # or in a sibling of one (a folder of alternatives picked on the command line): a YAML
        # or JSON file no code names is read by some tool (a data catalog, a CI system, an
        # evaluation harness), whatever folder it sits in.
        folders = {posixpath.dirname(path) for path in project.config_loaders if path in configs}
        configs = {path: keys for path, keys in configs.items() if posixpath.dirname(path) in folders}
        built_whole = _groups_built_whole(configs) | _HYDRA_SECTIONS
        configs = {path: keys for path, keys in configs.items() if self.reports(path)}
        if not configs:
            return
        read = {_normal(name) for name in project.names_read}
        patterns = {_normal(p) for _, facts in project.files.values() for p in facts.names_patterned}
        read_as = re.compile("|".join(fnmatch.translate(p) for p in sorted(patterns))) if patterns else None
        dynamic = any(facts.reads_config_dynamically for _, facts in project.files.values())
        whole = {subtree for _, facts in project.files.values() for subtree in facts.config_subtrees_whole}
        for path, keys in configs.items():
            if _group(path) not in built_whole:
                keys = [k for k in keys if k.path.split(".", 1)[0] not in built_whole]
                # Below a subtree handed whole; the subtree's own key stays, read by the name the code gives it.
                keys = [k for k in keys if not any(f".{subtree}." in f".{k.path}" for subtree in whole)]
                yield from self._file(path, keys, read, read_as, dynamic)

    def _file(
        self, path: str, keys: list, read: set[str], read_as: re.Pattern | None, dynamic: bool
    ) -> Iterator[ProjectFinding]:
        table = load_table("config_consumers")
        library_sections = {s for group in table["sections"].values() for s in group}
        constructors = set(table["constructor_keys"])

        # Keys of the tool that owns the file, and the keys above them: the tool reads them.
        owned, frame = _tool_owned(keys)
        owned_or_above = owned | frame | {a for path in owned for a in _ancestors(path)}

        def is_read(key) -> bool:
            name = _normal(key.name)
            return (
                key.aliased or key.path in owned_or_above or name in read or name in _FRAMEWORK_KEYS or not re.match(r"[A-Za-z_]", key.name)
                or bool(read_as and read_as.match(name))
            )

        children: dict[str, list] = {}
        for key in keys:
            children.setdefault(key.path.rpartition(".")[0], []).append(key)
        # A mapping most of whose keys the code never names is handed over whole (to a library,
        # to `**kwargs`, to hydra's `_target_`): its keys are read where mldebt cannot see.
        wholesale = {
            parent for parent, group in children.items()
            if sum(not is_read(k) for k in group) * 2 > len(group) or any(k.name in constructors for k in group)
        }
        objects = {parent for parent, group in children.items() if any(k.name in constructors for k in group)}
        collections = {
            parent for parent, group in children.items() if len(group) > 1 and all(k.path in objects for k in group)
        }
        # Library sections, and `*_kwargs` mappings the code reads: keyword arguments it passes on.
        consumed = {k.path for k in keys if k.name in library_sections or (_normal(k.name).endswith("kwargs") and is_read(k))}
        unread = [
            k for k in keys
            if not is_read(k) and k.path not in wholesale
            and not any(
                k.path.startswith(p + ".") or (not p and "." not in k.path)
                for p in wholesale | consumed | collections | owned
            )
        ]
        unread_paths = {k.path for k in unread}
        for key in unread:
            if any(ancestor in unread_paths for ancestor in _ancestors(key.path)):
                continue  # one finding for a section nothing reads, at the section
            yield ProjectFinding(
                key.line,
                f"config key `{key.path}` is never read by the code",
                hint="delete the key, or read it where the setting it names is decided",
                confidence=Confidence.LOW if dynamic else None,
                path=path,
            )


def _other_tools(keys: list) -> bool:
    """A file whose top-level keys are another tool's signature (`apiVersion` + `kind`)."""
    top = {k.name for k in keys if "." not in k.path}
    return any(set(signature) <= top for signatures in load_table("config_consumers")["tools"].values()
               for signature in signatures)


def _tool_owned(keys: list) -> tuple[set[str], set[str]]:
    """The keys a tool's own config format defines (`config_consumers.yaml` `formats`), in a
    file that carries one of the format's signature keys, as two sets of paths: the keys the
    tool reads with everything below them (a DeepSpeed config's `optimizer`, a ZenML pipeline
    config's `settings` and `steps.<step>.retry`), and its frame, read by the tool around
    entries that are the code's (ZenML's `steps.<step>.parameters`). A file has a format when
    it has every key of one of the format's signatures."""
    paths = [k.path for k in keys]
    owned: set[str] = set()
    frame: set[str] = set()
    for spec in load_table("config_consumers")["formats"].values():
        if any(all(any(_key_pattern(key).fullmatch(p) for p in paths) for key in signature)
               for signature in spec["signature"]):
            owned.update(p for p in paths if any(_key_pattern(k).fullmatch(p) for k in spec["keys"]))
            frame.update(p for p in paths if any(_key_pattern(k).fullmatch(p) for k in spec.get("frame", ())))
    return owned, frame


@functools.cache
def _key_pattern(path: str) -> re.Pattern:
    """`steps.*.retry` matches `steps.finetune.retry`: `*` is one key of any name."""
    return re.compile(r"\.".join("[^.]+" if part == "*" else re.escape(part) for part in path.split(".")))


def _group(path: str) -> str | None:
    """The hydra config group a file belongs to: its folder below the config folder
    (`configs/trainer/ddp.yaml` -> `trainer`), None for a file at the top of it."""
    parts = path.split("/")[:-1]
    roots = [i for i, part in enumerate(parts) if part in CONFIG_DIRS]
    if not roots or roots[-1] == len(parts) - 1:
        return None
    return "/".join(parts[roots[-1] + 1:])


def _groups_built_whole(configs: dict[str, list]) -> set[str]:
    """Config groups with a file that builds its object from a top-level `_target_`, or whose
    every entry does (`aim: {_target_: ...}` in `configs/logger/`): hydra composes the group's
    files and the code instantiates the object, or each object of the collection, whole
    (`instantiate_loggers(cfg.logger)`)."""
    return {group for path, keys in configs.items() if (group := _group(path)) and _builds_objects(keys)}


def _builds_objects(keys: list) -> bool:
    if any(k.path == "_target_" for k in keys):
        return True
    entries = {k.name for k in keys if "." not in k.path and k.name not in _FRAMEWORK_KEYS}
    targets = {k.path.split(".", 1)[0] for k in keys if k.path.count(".") == 1 and k.name == "_target_"}
    return bool(entries) and entries <= targets


def _ancestors(path: str) -> Iterator[str]:
    """`a` and `a.b` for `a.b.c`."""
    parts = path.split(".")
    for end in range(1, len(parts)):
        yield ".".join(parts[:end])


def _normal(name: str) -> str:
    """`tensorboard-dir`, `TENSORBOARD_DIR` and `tensorboard_dir` are the same setting."""
    return name.replace("-", "_").lower()
