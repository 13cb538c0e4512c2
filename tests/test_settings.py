"""`[tool.mldebt]`: every key works, and every mistake is a clear exit-2 error."""

from __future__ import annotations

import pytest
from conftest import write_tree

from mldebt.rule import Severity
from mldebt.settings import ConfigError, load_settings

UNSAFE = "import torch, pickle\ntorch.load(p)\npickle.load(f)\n"


def config(tmp_path, body: str):
    write_tree(tmp_path, {"pyproject.toml": "[tool.mldebt]\n" + body})
    return load_settings(tmp_path)


def test_defaults_without_config(tmp_path):
    settings = load_settings(tmp_path)
    assert settings.fail_on is Severity.WARNING and settings.select == ()


def test_all_keys(tmp_path):
    settings = config(
        tmp_path,
        'select = ["MLD4"]\nignore = ["MLD401"]\nexclude = ["scratch/**"]\nfail-on = "error"\n'
        '[tool.mldebt.per-file-ignores]\n"tests/**" = ["unsafe-deserialization"]\n',
    )
    assert settings.enabled_rule_ids() == {"MLD402", "MLD403", "MLD404", "MLD405", "MLD406"}
    assert settings.exclude == ("scratch/**",) and settings.fail_on is Severity.ERROR


def test_mldebt_toml_uses_top_level_keys(tmp_path):
    write_tree(tmp_path, {"mldebt.toml": 'ignore = ["MLD402"]\n'})
    assert "MLD402" not in load_settings(tmp_path).enabled_rule_ids()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('selcet = ["MLD4"]\n', "unknown key `selcet`; did you mean `select`?"),
        ('ignore = ["MLD4O1"]\n', "did you mean `MLD401`?"),
        ('select = ["unsafe-deserialisation"]\n', "did you mean `unsafe-deserialization`?"),
        ('fail-on = "warn"\n', "did you mean `warning`?"),
        ("exclude = 3\n", "exclude must be a list of strings"),
        ('[tool.mldebt.rules.MLD999]\nx = 1\n', "unknown rule `MLD999`"),
        ('[tool.mldebt.rules.MLD402]\nstrict = true\n', "unknown option `strict`"),
        ('[tool.mldebt.per-file-ignores]\n"tests/**" = ["MLD4O2"]\n', "did you mean `MLD402`?"),
        ("[tool.mldebt.reproducibility]\ntraining-call = []\n", "did you mean `training-calls`?"),
        ("[tool.mldebt.reproducibility]\nseeds = {'lab.fix' = ['jax']}\n", "unknown generator `jax`"),
    ],
)
def test_mistakes_are_errors_with_suggestions(tmp_path, body, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("?", r"\?")):
        config(tmp_path, body)


def test_invalid_toml_is_an_error(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": "[tool.mldebt\n"})
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(tmp_path)


def test_config_error_in_cli_is_exit_2_without_traceback(tmp_path, run_cli):
    write_tree(tmp_path, {"pyproject.toml": '[tool.mldebt]\nignroe = ["MLD401"]\n', "a.py": UNSAFE})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "mldebt: error: pyproject.toml [tool.mldebt]: unknown key `ignroe`; did you mean `ignore`?"
    )


def test_exclude_and_per_file_ignores_apply(tmp_path, scan_json):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mldebt]\nexclude = ["scratch/"]\n[tool.mldebt.per-file-ignores]\n"tests/**" = ["MLD4"]\n"legacy/*.py" = ["MLD401"]\n',
            "scratch/a.py": UNSAFE,
            "tests/test_a.py": UNSAFE,
            "legacy/old.py": UNSAFE,
            "train.py": UNSAFE,
        },
    )
    _, doc = scan_json(tmp_path)
    assert sorted((f["path"], f["rule"]) for f in doc["findings"]) == [
        ("legacy/old.py", "MLD402"), ("train.py", "MLD401"), ("train.py", "MLD402"),
    ]


def test_cli_flags_override_the_file(tmp_path, scan_json):
    write_tree(tmp_path, {"pyproject.toml": '[tool.mldebt]\nselect = ["MLD401"]\n', "a.py": UNSAFE})
    assert {f["rule"] for f in scan_json(tmp_path)[1]["findings"]} == {"MLD401"}
    assert {f["rule"] for f in scan_json(tmp_path, "--select", "MLD402")[1]["findings"]} == {"MLD402"}


def test_explicit_config_file(tmp_path, scan_json):
    write_tree(tmp_path, {"repo/a.py": UNSAFE, "ci.toml": 'ignore = ["MLD402"]\n'})
    _, doc = scan_json(tmp_path / "repo", "--config", str(tmp_path / "ci.toml"))
    assert {f["rule"] for f in doc["findings"]} == {"MLD401"}


def test_explicit_pyproject_or_any_toml_with_a_tool_mldebt_table(tmp_path, scan_json, run_cli):
    table = '[project]\nname = "x"\n[tool.mldebt]\nignore = ["MLD402"]\n'
    write_tree(tmp_path, {"repo/a.py": UNSAFE, "shared/pyproject.toml": table, "shared/team.toml": table})
    for config in ("shared/pyproject.toml", "shared/team.toml"):
        _, doc = scan_json(tmp_path / "repo", "--config", str(tmp_path / config))
        assert {f["rule"] for f in doc["findings"]} == {"MLD401"}, config
    write_tree(tmp_path, {"other/pyproject.toml": '[project]\nname = "x"\n'})
    result = run_cli("scan", tmp_path / "repo", "--config", tmp_path / "other/pyproject.toml")
    assert result.exit_code == 2 and "has no [tool.mldebt] table" in result.stderr


def test_rule_options(tmp_path, scan_json, run_cli):
    write_tree(tmp_path, {"a.py": "import torch\ntorch.load(p)\ntorch.load(q, weights_only=False)\n"})
    assert [f["line"] for f in scan_json(tmp_path)[1]["findings"]] == [2, 3]
    write_tree(tmp_path, {"pyproject.toml": "[tool.mldebt.rules.MLD402]\nflag-missing = false\n"})
    assert [f["line"] for f in scan_json(tmp_path)[1]["findings"]] == [3]
    write_tree(tmp_path, {"pyproject.toml": '[tool.mldebt.rules.MLD402]\nflag-missing = "no"\n'})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 2 and "flag-missing must be a bool" in result.stderr


def test_team_hyperparameter_apis_extend_the_knowledge(tmp_path, scan_json, run_cli):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.mldebt.hyperparameters]\naliases = { learning_rate = ['base_learning_rate'] }\n"
                "methods = { train = ['rounds'] }\n"
                "[tool.mldebt.hyperparameters.calls.inhouse]\n"
                "calls = ['mylib.optim.make_optimizer']\narguments = { base_learning_rate = 1, momentum = -1 }\n"
            ),
            "train.py": "from mylib.optim import make_optimizer\nopt = make_optimizer(p, 0.05, momentum=0.8)\nm.train(rounds=40)\n",
        },
    )
    _, doc = scan_json(tmp_path, "--select", "MLD101")
    assert [f["message"] for f in doc["findings"]] == [
        "`base_learning_rate=0.05` is hard-coded in the `mylib.optim.make_optimizer` call",
        "`momentum=0.8` is hard-coded in the `mylib.optim.make_optimizer` call",
        "`rounds=40` is hard-coded in the `.train()` call",
    ]
    write_tree(tmp_path, {"pyproject.toml": "[tool.mldebt.hyperparameters.calls.x]\ncalls = ['a.b']\n"})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 2 and "must have exactly `calls`" in result.stderr


def test_team_io_functions_extend_the_graph(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.mldebt.data-io.calls]\n'lake.read_table' = { mode = 'read', path = ['name', 0] }\n"
                "[tool.mldebt.data-io.methods]\nexport = { mode = 'write', path = ['to', 0] }\n"
            ),
            "train.py": "import lake\ndf = lake.read_table('features/v3.parquet')\nreport.export('out/report.html')\n",
        },
    )
    text = run_cli("graph", tmp_path, "-f", "json").stdout
    assert '"artifact:features/v3.parquet"' in text and '"artifact:out/report.html"' in text
    write_tree(tmp_path, {"pyproject.toml": "[tool.mldebt.data-io.calls]\n'x.y' = { mode = 'load' }\n"})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 2 and 'must be {mode = "read"|"write"' in result.stderr


def test_team_aliases_reach_the_config_comparison(tmp_path, scan_json):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.mldebt.hyperparameters]\naliases = { learning_rate = ['step_size_lr'] }\n",
            "configs/train.yaml": "optim:\n  step_size_lr: 0.05\n",
            "train.py": "import torch, yaml\ncfg = yaml.safe_load(open('configs/train.yaml'))\nopt = torch.optim.SGD(p, lr=0.05)\n",
        },
    )
    _, doc = scan_json(tmp_path, "--select", "MLD104")
    assert [f["message"] for f in doc["findings"]] == ["`lr=0.05` repeats `optim.step_size_lr` of configs/train.yaml:2"]
