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

    ## Evidence
    An argparse option is reported only where the code shows every reader of its namespace:
    each use of `args` as a bare value goes to the module's own functions and classes (whose
    parameters are followed in turn), to a function of the repository's own modules, to a
    display (`print`, logging, `str`, an f-string) or to another name that is followed. A
    namespace handed to a library (`HttpServerManager(args)`, `Trainer.from_argparse_args(args)`,
    `wandb.init(config=args)`), to something unresolved, or put in a tuple, list or dict, may be
    read by name where mldebt cannot look: nothing is reported for that module. So is a module
    that reads its arguments wholesale (`vars(args)`, `args.__dict__`).

    ## Known limitations
    A parser returned by a helper (`parser = make_parser()`) is not followed, nor a namespace
    returned to a caller in another module, nor the parameters of a repository function of
    another module (the whole-repository search for the destination covers their reads).
    Options read only by code outside the repository are reported.

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
        # Shown, and handed to the module's own function and to the repository's own module, all of
        # which read options by name only: the unread one is still unread.
        Invalid(_PARSER + "import logging\nfrom trainer import fit\np.add_argument('--amp', action='store_true')\np.add_argument('--lr')\n"
                "def run(opts):\n    print(opts)\n    fit(opts)\nargs = p.parse_args()\nlogging.info(f'{args}')\nrun(args)\n",
                path="train.py", files={"trainer.py": "def fit(args):\n    return args.lr\n"}, line=5, message="`--amp`"),
        # argparse's subcommand idiom: the namespace goes to the module's own handler.
        Invalid(_PARSER + "p.add_argument('--out')\np.add_argument('--src')\ndef copy_cmd(args):\n    print(args.src)\n"
                "p.set_defaults(func=copy_cmd)\nargs = p.parse_args()\nargs.func(args)\n", path="cli.py", line=3,
                message="`--out`"),
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
        # Handed to a library mldebt does not know, directly or inside a tuple of arguments.
        Valid(_PARSER + "from serving.manager import Server\nfrom serving.launch import start\np.add_argument('--tp', type=int)\n"
              "p.add_argument('--port', type=int)\nargs = p.parse_args()\nserver = Server(args, port=args.port)\n", path="worker.py"),
        Valid(_PARSER + "from serving.launch import start, route\np.add_argument('--tp', type=int)\n"
              "args = p.parse_args()\nstart(funcs=[route], start_args=[(args, 8000)])\n", path="worker.py"),
        # Through the module's own function, whose parameter then goes to a library.
        Valid(_PARSER + "import engine\np.add_argument('--max-batch', type=int)\n"
              "def launch(opts):\n    return engine.Engine.from_cli_args(opts)\n"
              "args = p.parse_args()\nlaunch(args)\n", path="serve.py"),
        # The subcommand's handler is a library's.
        Valid(_PARSER + "from toolkit import commands\np.add_argument('--out')\np.set_defaults(func=commands.export)\n"
              "args = p.parse_args()\nargs.func(args)\n", path="cli.py"),
        # Options declared here, parsed elsewhere, the namespace handed back to a library here.
        Valid("import tracker\ndef add_options(parser):\n    parser.add_argument('--notes')\n    return parser\n"
              "def main(args):\n    tracker.start(config=args)\n", path="options.py"),
        Valid(_PARSER + "p.add_argument('--lr')\np.add_argument('data')\nargs = p.parse_args()\nprint(getattr(args, 'lr'), args.data)\n",
              path="train.py"),
        Valid("import click\n@click.command()\n@click.option('--seed')\n@click.pass_context\ndef main(ctx, seed):\n    run(seed)\n",
              path="cli.py"),
        Valid("from selenium import webdriver\noptions = webdriver.ChromeOptions()\noptions.add_argument('--headless')\n"
              "driver = webdriver.Chrome(options=options)\n", path="browse.py"),
    ]

    @staticmethod
    def _stays_in_repository(project: Project, path: str, callees: list[str]) -> bool:
        """Whether every imported function given the namespace (`fastchat.train.train`) is one
        of the repository's modules: a library's reads the options by name where mldebt cannot look."""
        def own(qualified: str) -> bool:
            parts = qualified.split(".")
            return any(project.module_file(path, ".".join(parts[:n])) for n in range(len(parts) - 1, 0, -1))

        return all(own(callee) for callee in callees)

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
                elif option.dest not in read and not facts.reads_args_dynamically and self._stays_in_repository(
                    project, path, facts.namespace_callees
                ):
                    yield ProjectFinding(
                        option.line,
                        f"`{option.flag}` is parsed but `{option.dest}` is never read",
                        hint="remove the option, or read it where the behaviour it names is decided",
                        column=option.column,
                        path=path,
                    )
