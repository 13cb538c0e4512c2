from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_PARSER = "import argparse\np = argparse.ArgumentParser()\n"


class UnusedCliOption(ProjectRule):
    """A command-line option that is parsed but never read.

    ## Why it matters
    `--amp` in `--help` promises mixed precision; if nothing reads `args.amp`, passing it
    silently does nothing, and an experiment that "used AMP" did not. Options outlive the
    experiments they were added for. For argparse the whole repository is searched for the
    destination (`args.amp`, `getattr(args, "amp")`, `vars(args)["amp"]`, a parameter of that
    name that `**vars(args)` fills); for click and typer, the command's own body.

    ## Known limitations
    A parser returned by a helper (`parser = make_parser()`) is not followed. A module that reads its arguments wholesale (`vars(args)`, `args.__dict__`) is not
    reported, nor one that hands them whole to a library that reads them by name
    (`Trainer.from_argparse_args(args)`, `wandb.init(config=args)`: the options leave the
    repository, so nothing here shows they are unread). Options read only by code outside the repository are reported.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths)
    """

    id = "MLD203"
    name = "unused-cli-option"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid(_PARSER + "p.add_argument('--amp', action='store_true')\np.add_argument('--lr', type=float)\n"
                "args = p.parse_args()\nprint(args.lr)\n", path="train.py", line=3, message="`--amp`"),
        # A tracker given some options by name does not read the others.
        Invalid(_PARSER + "import wandb\np.add_argument('--amp', action='store_true')\np.add_argument('--lr', type=float)\n"
                "args = p.parse_args()\nwandb.init(config={'lr': args.lr})\n", path="train.py", line=4, message="`--amp`"),
        Invalid("import click\n@click.command()\n@click.option('--seed')\n@click.option('--epochs')\n"
                "def main(seed, epochs):\n    run(epochs)\n", path="cli.py", line=5, message="`seed`"),
        Invalid("import typer\ndef main(epochs: int = typer.Option(3), ema: bool = typer.Option(False)):\n    run(epochs)\n",
                path="cli.py", message="`ema`"),
        Invalid("from argparse import ArgumentParser\ndef add_args(parent_parser):\n    group = parent_parser.add_argument_group('opt')\n"
                "    group.add_argument('--ema', action='store_true')\n    return parent_parser\n", path="args.py", line=4,
                message="`--ema`"),
        Invalid(_PARSER + "sub = p.add_subparsers()\ntrain, test = sub.add_parser('train'), sub.add_parser('test')\n"
                "for command in (sub.add_parser('a'), sub.add_parser('b')):\n    command.add_argument('--amp')\n",
                path="cli.py", line=6, message="`--amp`"),
    ]
    VALID = [
        Valid(_PARSER + "p.add_argument('--use-amp', action='store_true')\nargs = p.parse_args()\nif args.use_amp:\n    go()\n",
              path="train.py"),
        Valid(_PARSER + "p.add_argument('--lr', dest='learning_rate')\nargs = p.parse_args()\n", path="train.py",
              files={"trainer.py": "def fit(args):\n    return args.learning_rate\n"}),
        Valid(_PARSER + "p.add_argument('--lr')\nargs = p.parse_args()\nmain(**vars(args))\n", path="train.py"),
        # Options handed whole to a library that reads them by name.
        Valid(_PARSER + "import lightning.pytorch as pl\np.add_argument('--max_epochs', type=int)\np.add_argument('--lr')\n"
              "args = p.parse_args()\nprint(args.lr)\ntrainer = pl.Trainer.from_argparse_args(args)\n", path="train.py"),
        Valid(_PARSER + "import wandb\np.add_argument('--notes')\nargs = p.parse_args()\nwandb.init(project='x', config=args)\n",
              path="train.py"),
        Valid(_PARSER + "p.add_argument('--lr')\np.add_argument('data')\nargs = p.parse_args()\nprint(getattr(args, 'lr'), args.data)\n",
              path="train.py"),
        Valid("import click\n@click.command()\n@click.option('--seed')\n@click.pass_context\ndef main(ctx, seed):\n    run(seed)\n",
              path="cli.py"),
        Valid("from selenium import webdriver\noptions = webdriver.ChromeOptions()\noptions.add_argument('--headless')\n"
              "driver = webdriver.Chrome(options=options)\n", path="browse.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        for path, (_, facts) in project.files.items():
            if not facts.cli_options or is_test_path(path) or not self.reports(path):
                continue
            read = project.names_read  # computed once, when a reported file has options
            for option in facts.cli_options:
                if not option.flag:
                    yield ProjectFinding(
                        option.line,
                        f"command-line option `{option.dest}` is never used by its command",
                        hint="remove the option, or use it",
                        column=option.column,
                        path=path,
                    )
                elif option.dest not in read and not facts.reads_args_dynamically:
                    yield ProjectFinding(
                        option.line,
                        f"`{option.flag}` is parsed but `{option.dest}` is never read",
                        hint="remove the option, or read it where the behaviour it names is decided",
                        column=option.column,
                        path=path,
                    )
