"""Configuration rules on small repositories, where the examples of the rule classes cannot say
enough (how many findings one fact gives)."""

from __future__ import annotations

from mldebt.rule import Invalid
from mldebt.rules.dead_experimental_codepath.unread_config_key import loaded_example as loaded
from mldebt.testing import run_example


def test_a_section_nothing_reads_is_one_finding_at_the_section():
    config = "s3:\n  max_write: 10\n  max_read: 15\n  enable_async: false\nlr: 0.1\n"
    example = Invalid(config, path="conf/gpt.yaml", files={"train.py": "def f(c, o):\n    return c.lr, o.max_write, o.max_read\n"})
    findings, _ = run_example("MLD204", loaded(example))
    assert [(f.line, f.message) for f in findings] == [(1, "config key `s3` is never read by the code")]


def test_an_unread_key_of_a_read_section_is_reported():
    config = "s3:\n  max_write: 10\n  max_read: 15\n  enable_async: false\nlr: 0.1\n"
    example = Invalid(config, path="conf/gpt.yaml", files={"train.py": "def f(c):\n    return c.lr, c.s3.max_write, c.s3.max_read\n"})
    findings, _ = run_example("MLD204", loaded(example))
    assert [f.line for f in findings] == [4]


_CONFIG = "model:\n  optim:\n    lr: 0.01\n    weight_decay: 0.001\n"


def test_a_config_composed_through_a_hydra_wrapper_configures_its_script():
    script = ("from nemo.core.config import hydra_runner\nimport torch\n"
              "@hydra_runner(config_path='../conf', config_name='config')\ndef main(cfg):\n"
              "    opt = torch.optim.AdamW(p, lr=0.01)\n")
    example = Invalid(script, path="examples/asr/asr_ctc/train.py", files={"examples/asr/conf/config.yaml": _CONFIG})
    findings, _ = run_example("MLD104", example)
    assert [(f.line, f.message) for f in findings] == [(5, "`lr=0.01` repeats `model.optim.lr` of examples/asr/conf/config.yaml:3")]


def test_a_structured_config_example_is_not_compared_with_its_neighbours_yaml():
    structured = "import torch\nopt = torch.optim.AdamW(p, lr=0.01, weight_decay=0.001)\n"
    hydra = "import hydra\n@hydra.main(config_path='../conf', config_name='config')\ndef main(cfg):\n    pass\n"
    example = Invalid(structured, path="examples/asr/structured/train.py",
                      files={"examples/asr/conf/config.yaml": _CONFIG, "examples/asr/asr_ctc/train.py": hydra})
    assert run_example("MLD104", example)[0] == []


def test_a_library_a_script_drives_is_not_compared_with_the_scripts_config():
    library = "import torch\ndef default_optimizer(p):\n    return torch.optim.AdamW(p, lr=1e-4)\n"
    script = "import yaml\nfrom lib.model import default_optimizer\ncfg = yaml.safe_load(open('examples/conf/ft.yaml'))\n"
    example = Invalid(library, path="lib/model.py", files={
        "lib/__init__.py": "", "examples/finetune.py": script, "examples/conf/ft.yaml": "optim:\n  lr: 0.0001\n",
    })
    assert run_example("MLD104", example)[0] == []


def test_a_top_level_section_iterated_somewhere_does_not_excuse_every_configs_section():
    code = "def f(cfg, config):\n    for key, val in config.model.items():\n        print(key)\n    return cfg.model.dim\n"
    example = Invalid("model:\n  dim: 64\n  sync_batch_comm: false\n", path="conf/gpt.yaml", files={"gpt.py": code})
    findings, _ = run_example("MLD204", loaded(example))
    assert [f.line for f in findings] == [3]


def test_a_pipeline_of_transforms_is_one_finding_at_its_first_probability():
    options = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--epochs', type=int)\n"
    recipe = ("import albumentations as A\naug = A.Compose([\n    A.HorizontalFlip(p=0.5),\n"
              "    A.OneOf([A.Blur(p=0.1), A.MotionBlur(p=0.2)], p=0.3),\n    A.RandomGamma(p=0.2),\n])\n"
              "flip = A.VerticalFlip(p=0.4)\n")
    findings, _ = run_example("MLD101", Invalid(options + recipe, path="augment.py"))
    assert [f.line for f in findings] == [6, 10]


def test_a_config_no_code_loads_belongs_to_a_tool_and_is_not_checked():
    """A Kedro data catalog: Kedro reads every entry; the nodes name datasets, never the file."""
    catalog = "companies:\n  type: pandas.CSVDataset\n  filepath: data/01_raw/companies.csv\n  versioned: true\n"
    nodes = ("def create_pipeline():\n    return pipeline([node(preprocess, inputs='companies', outputs='model_input')])\n"
             "def describe(dataset):\n    return dataset.type, dataset.filepath\n")
    example = Invalid(catalog, path="conf/base/catalog.yml", files={"src/pipeline.py": nodes})
    assert run_example("MLD204", example)[0] == []
    flagged, _ = run_example("MLD204", loaded(example))
    assert [f.line for f in flagged] == [4]


def test_a_sibling_of_a_loaded_config_is_an_alternative_picked_on_the_command_line():
    loader = "import argparse, yaml\np = argparse.ArgumentParser()\np.add_argument('--config', default='configs/baseline.yaml')\n" \
             "cfg = yaml.safe_load(open(p.parse_args().config))\nprint(cfg['lr'], cfg['depth'])\n"
    example = Invalid("lr: 0.1\ndepth: 6\nold_depth: 3\n", path="configs/deeper.yaml",
                      files={"configs/baseline.yaml": "lr: 0.1\ndepth: 4\n", "run.py": loader})
    findings, _ = run_example("MLD204", example)
    assert [f.line for f in findings] == [3]
