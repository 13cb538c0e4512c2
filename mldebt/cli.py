"""The command line: the only module that prints, reads config files or exits.

Exit codes: 0 clean (or nothing at or above the gate), 1 findings at or above the gate,
2 usage, configuration or internal error, 130 interrupted (Ctrl-C).

Start-up is paid on every pre-commit or editor call, so the module level imports only click and
light mldebt modules; each command imports the engine, the settings (yaml, pathspec), rich and
the renderers it needs when it runs. `tests/test_startup.py` holds that line.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import signal
import stat
import sys
import tempfile
from contextlib import nullcontext
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from mldebt import __version__
from mldebt.locations import CACHE_DIR_NAME, DEFAULT_BASELINE, ENV_CACHE_DIR
from mldebt.reporters import REPORTERS
from mldebt.reporters.escape import printable
from mldebt.rule import Severity

if TYPE_CHECKING:
    from mldebt.report import Report
    from mldebt.settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Formats that always hold every finding (Markdown and annotations are cut to GitHub's limits).
COMPLETE_FORMATS = ("json", "sarif", "text")


class UsageError(click.ClickException):
    """A one-line error for the user, exit code 2, never a traceback."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"mldebt: error: {printable(self.format_message())}", err=True)


class TableChoice(click.Choice):
    """A choice among the keys of a table in another module, imported only when the option is
    parsed or its help is shown: `mldebt --help` must not import every renderer."""

    def __init__(self, module: str, table: str) -> None:
        self.module, self.table = module, table
        self.case_sensitive = True

    @cached_property
    def choices(self) -> tuple[str, ...]:
        return tuple(sorted(getattr(importlib.import_module(self.module), self.table)))


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select A,B --select C` -> (A, B, C), each checked against the catalogue."""
    from mldebt.registry import SelectorError, resolve_selector

    selectors = tuple(s.strip() for value in values for s in value.split(",") if s.strip())
    for selector in selectors:
        try:
            resolve_selector(selector)
        except SelectorError as error:
            raise UsageError(str(error)) from None
    return selectors


def check_target(path: Path) -> Path:
    """The folder of a report file to write, after refusing what must not be replaced: renaming
    over a symlink, FIFO or device (`/dev/null`) would destroy it. Checked before the scan (no
    wasted scan) and again when writing."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write `{path}`: folder `{directory}` does not exist")
    try:
        existing = path.lstat().st_mode
    except FileNotFoundError:
        return directory
    except OSError as error:
        raise UsageError(f"cannot write `{path}`: {error.strerror}") from None
    if not stat.S_ISREG(existing):
        kind = "a symlink" if stat.S_ISLNK(existing) else "a folder" if stat.S_ISDIR(existing) else "not a regular file"
        raise UsageError(f"cannot write `{path}`: it is {kind}; name a regular file (or omit -o for standard output)")
    return directory


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and a rename: never a half-written file."""
    directory = check_target(path)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise UsageError(f"cannot write `{path}`: {error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"cannot write `{path}`: {error.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _progress(show: bool):
    if not show:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    )


class _Main(click.Group):
    """Every command exits 130 on Ctrl-C (and 143 on SIGTERM), and 2 with one line on an
    unexpected exception: never click's exit 1 ("Aborted!"), which CI reads as findings."""

    #: Whether the command runs this process's own command line, so that the process ends with
    #: it (a test's `CliRunner` passes its arguments and goes on): `_scan` tells the engine.
    owns_process = False

    def main(self, args=None, *rest, **extra):
        _Main.owns_process = args is None
        return super().main(args, *rest, **extra)

    def invoke(self, ctx: click.Context):
        signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("mldebt: interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:  # noqa: BLE001 - exit 2 with one line, not a traceback
            raise UsageError(f"internal error: {type(error).__name__}: {error} (please report this)") from None


def _terminate(signum, frame) -> None:
    """SIGTERM unwinds like Ctrl-C: workers stopped, no half-written report."""
    sys.exit(128 + signum)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="mldebt")
def main() -> None:
    """mldebt: find the technical debt peculiar to machine-learning repositories."""


def _load(
    paths: tuple[Path, ...], config: Path | None, select=(), ignore=(), fail_on=None
) -> tuple[Path, list[str] | None, Settings]:
    """The project root of PATHS, the paths to report (None: all of the project) and its
    settings, with the command line's selection and gate over them."""
    from mldebt.settings import ConfigError, load_settings, parse_fail_on, project_root

    paths = paths or (Path("."),)
    try:
        root = project_root(paths)
        only = sorted({p.resolve().relative_to(root).as_posix() for p in paths})
        settings = load_settings(root, config)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    overrides = {}
    if select:
        overrides["select"] = _selectors(select)
    if ignore:
        overrides["ignore"] = settings.ignore + _selectors(ignore)
    if fail_on:
        overrides["fail_on"] = parse_fail_on("--fail-on", fail_on)
    return root, None if "." in only else only, dataclasses.replace(settings, **overrides)


def _cache_options(command):
    """`--no-cache` and `--cache-dir` (or `$MLDEBT_CACHE_DIR`), shared by the commands that scan."""
    command = click.option(
        "--cache-dir", type=click.Path(file_okay=False, path_type=Path), envvar=ENV_CACHE_DIR,
        help=f"Cache per-file results here (default: {CACHE_DIR_NAME}/ at the project root; env {ENV_CACHE_DIR}).",
    )(command)
    return click.option("--no-cache", is_flag=True, help="Analyse every file; neither read nor write the cache.")(command)


def _cache_folder(root: Path, no_cache: bool, cache_dir: Path | None) -> Path | None:
    return None if no_cache else cache_dir or root / CACHE_DIR_NAME


def _scan(
    root: Path, only: list[str] | None, settings: Settings, jobs: int | None, show_progress: bool,
    cache_dir: Path | None,
) -> Report:
    """Run the scan; any failure is one line and exit 2."""
    from mldebt.discover import FileKind
    from mldebt.engine import ends_after_scan, scan as run_scan
    from mldebt.registry import SelectorError
    from mldebt.settings import repository_prefix

    if _Main.owns_process:
        ends_after_scan()
    try:
        with _progress(show_progress) as progress:
            task = progress.add_task("scan", total=None) if progress else None
            report = run_scan(
                root, settings, jobs=jobs, only=only, cache_dir=cache_dir,
                progress=(lambda done, total: progress.update(task, completed=done, total=total)) if progress else None,
            )
    except (OSError, SelectorError) as error:
        raise UsageError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - exit 2 with one line, not a traceback
        raise UsageError(f"internal error: {type(error).__name__}: {error} (please report this)") from None
    if all(f.kind == FileKind.DOCUMENT for f in report.files):  # Markdown only supports the rest
        click.echo(
            f"mldebt: note: no file mldebt reads in {', '.join(only or ['.'])} (project root `{root}`:"
            " excluded there, another project's vendored code, git-ignored, or not a Python, notebook or manifest file)",
            err=True,
        )
    report.repository_prefix = repository_prefix(root)
    return report


def _outputs(values: tuple[str, ...], fmt: str | None) -> list[tuple[str, Path]]:
    """`-o FORMAT:FILE`, or `-o FILE` in the `--format` (`fmt`; None while not known),
    repeatable: one scan, many reports."""
    outputs = []
    for value in values:
        head, colon, tail = value.partition(":")
        if colon and head in REPORTERS:
            outputs.append((head, Path(tail)))
        elif colon and head.isalpha() and len(head) > 1:
            raise UsageError(f"unknown output format `{head}` in `-o {value}` (formats: {', '.join(sorted(REPORTERS))})")
        elif fmt is not None:
            outputs.append((fmt, Path(value)))
    for _, target in outputs:
        if not str(target) or target.is_dir():
            raise UsageError(f"`-o {target}` needs a file name")
        check_target(target)
    return outputs


def _apply_baseline(report: Report, file: str | None, only: list[str] | None) -> Report:
    if file is None:
        return report
    from mldebt.baseline import BaselineError, apply_baseline, load_baseline

    try:
        return apply_baseline(report, load_baseline(Path(file)), file, only)
    except BaselineError as error:
        raise UsageError(str(error)) from None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option(
    "-o", "--output", "outputs", multiple=True, metavar="[FORMAT:]FILE",
    help="Write a report to FILE (in FORMAT, else --format); repeat for several reports of one scan.",
)
@click.option("--select", multiple=True, help="Only these rules: ids, id prefixes (MLD4) or categories.")
@click.option("--ignore", multiple=True, help="Skip these rules: ids, id prefixes or categories.")
@click.option("--fail-on", type=click.Choice([s.label for s in Severity]), help="Lowest severity that exits 1.")
@click.option("--fail-on-diagnostics", is_flag=True, help="Also exit 1 when a file could not be analysed.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 whatever is found (errors still exit 2).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings not in this baseline.")
@click.option("--statistics", is_flag=True, help="Print per-rule counts instead of the findings.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: available cores).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Config file to use.")
@click.option("--min-score", type=float, help="Also exit 1 when the ML Test Score is below this.")
@click.option(
    "--report-url", metavar="URL",
    help="Where the full reports are published (e.g. the CI run's artifacts): a Markdown report cut to "
    "GitHub's size limit links there instead of naming the JSON/SARIF/text files of this scan.",
)
@_cache_options
@click.pass_context
def scan(
    ctx, paths, fmt, outputs, select, ignore, fail_on, fail_on_diagnostics, exit_zero, baseline_file, statistics,
    jobs, config, min_score, report_url, no_cache, cache_dir,
) -> None:
    """Scan PATHS (files or folders of one project; default: the current folder) for ML
    technical debt. The whole project is analysed, so that cross-file rules see everything;
    findings are reported for PATHS only, with paths relative to the project root."""
    root, only, settings = _load(paths, config, select, ignore, fail_on)
    settings = _with_min_score(settings, min_score)
    targets = _outputs(outputs, fmt)
    # stdout gets the --format report unless an -o took it (a bare `-o FILE`, or no explicit
    # --format): `-f github -o sarif:x.sarif` prints annotations and writes SARIF from one scan.
    explicit_format = ctx.get_parameter_source("fmt") is not ParameterSource.DEFAULT
    to_stdout = not outputs or (explicit_format and len(_outputs(outputs, None)) == len(outputs))
    show_progress = sys.stderr.isatty() and (not to_stdout or (fmt == "text" and sys.stdout.isatty()))
    report = _scan(root, only, settings, jobs, show_progress, _cache_folder(root, no_cache, cache_dir))
    report = _apply_baseline(report, baseline_file or settings.baseline, only)
    report.full_report_url = report_url or ""
    report.full_report_files = tuple(str(target) for target_fmt, target in targets if target_fmt in COMPLETE_FORMATS)
    from mldebt.reporters import render
    from mldebt.reporters.statistics import render_statistics

    try:
        files = [(target, render(report, target_fmt)) for target_fmt, target in targets]
        if statistics:
            text = render_statistics(report)
        elif to_stdout:
            text = render(report, fmt, color=fmt == "text" and sys.stdout.isatty())
    except Exception as error:  # noqa: BLE001 - exit 2 with one line, not a traceback
        raise UsageError(f"internal error: {type(error).__name__}: {error} (please report this)") from None
    for target, _ in files:
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"cannot write `{target}`: folder `{folder}` does not exist")
    for (target, content), (target_fmt, _) in zip(files, targets):
        write_atomically(target, content)
        click.echo(f"mldebt: wrote {target_fmt} report to {target}", err=True)
    if statistics or to_stdout:
        click.echo(text, nl=False)
    from mldebt.vendored import VENDORED  # a folder left out on purpose, not a file that failed

    failing = any(Severity.parse(f.severity) >= settings.fail_on for f in report.findings)
    failing |= fail_on_diagnostics and any(d.kind != VENDORED for d in report.diagnostics)
    failing |= _below(report, settings)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


def _with_min_score(settings: Settings, value: float | None) -> Settings:
    """`--min-score` over `min-score` in the config."""
    if value is None:
        return settings
    from mldebt.settings import ConfigError, parse_min_score

    try:
        return dataclasses.replace(settings, min_score=parse_min_score("--min-score", value))
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _below(report: Report, settings: Settings) -> bool:
    """The ML Test Score gate: `--min-score` or `min-score` in `[tool.mldebt]`."""
    if settings.min_score is None or report.score.final >= settings.min_score:
        return False
    click.echo(f"mldebt: ML Test Score {report.score.final:g} is below the minimum {settings.min_score:g}", err=True)
    return True


def _emit(text: str, output: Path | None) -> None:
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "fmt", type=TableChoice("mldebt.reporters.score", "RENDERERS"), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the score to FILE.")
@click.option("--min-score", type=float, help="Exit 1 when the ML Test Score is below this.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: available cores).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Config file to use.")
@_cache_options
def score(path, fmt, output, min_score, jobs, config, no_cache, cache_dir) -> None:
    """The ML Test Score of the project that holds PATH (Breck et al. 2017): the 28 tests with
    their evidence, the four sections, the final score (their minimum), its band, and the
    cheapest next steps."""
    from mldebt.reporters.score import RENDERERS

    root, _, settings = _load((path,), config)
    settings = _with_min_score(settings, min_score)
    report = _scan(root, None, settings, jobs, False, _cache_folder(root, no_cache, cache_dir))
    _emit(RENDERERS[fmt](report.score, color=fmt == "text" and output is None and sys.stdout.isatty()), output)
    sys.exit(EXIT_FINDINGS if _below(report, settings) else EXIT_CLEAN)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "fmt", type=TableChoice("mldebt.reporters.badge", "FORMATS"), default="svg", show_default=True,
              help="svg: the badge itself; shields: JSON for a shields.io endpoint badge.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the badge to FILE.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: available cores).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Config file to use.")
@_cache_options
def badge(path, fmt, output, jobs, config, no_cache, cache_dir) -> None:
    """A README badge of the ML Test Score of the project that holds PATH: a self-contained SVG,
    or shields.io endpoint JSON."""
    from mldebt.reporters.badge import FORMATS

    root, _, settings = _load((path,), config)
    _emit(FORMATS[fmt](_scan(root, None, settings, jobs, False, _cache_folder(root, no_cache, cache_dir)).score), output)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help=f"Baseline file (default: `baseline` in the config, else {DEFAULT_BASELINE} at the project root).",
)
@click.option("--update", is_flag=True, help="Only drop entries that no longer match; never add any.")
@click.option("--select", multiple=True, help="Only these rules: ids, id prefixes (MLD4) or categories.")
@click.option("--ignore", multiple=True, help="Skip these rules: ids, id prefixes or categories.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: available cores).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Config file to use.")
@_cache_options
def baseline(paths, output, update, select, ignore, jobs, config, no_cache, cache_dir) -> None:
    """Record today's findings of PATHS (default: the current folder) in a baseline file, so
    that `scan --baseline FILE` (or `baseline` in [tool.mldebt]) reports only new ones."""
    root, only, settings = _load(paths, config, select, ignore)
    target = output or Path(settings.baseline or root / DEFAULT_BASELINE)
    report = _scan(root, only, settings, jobs, sys.stderr.isatty(), _cache_folder(root, no_cache, cache_dir))
    from mldebt.baseline import BaselineError, apply_baseline, baseline_of, load_baseline, render_baseline, shrink

    if update:
        try:
            entries = load_baseline(target)
        except BaselineError as error:
            raise UsageError(str(error)) from None
        kept = shrink(entries, apply_baseline(report, entries, str(target), only).baseline)
        write_atomically(target, render_baseline(kept))
        click.echo(f"mldebt: {target}: dropped {len(entries) - len(kept)} stale entries, kept {len(kept)}", err=True)
        return
    write_atomically(target, baseline_of(report))
    click.echo(f"mldebt: recorded {len(report.findings)} finding(s) in {target}", err=True)


@main.command()
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def rules(fmt) -> None:
    """List the rule catalogue."""
    from mldebt.catalogue import rules_markdown, shipped_catalogue

    entries = shipped_catalogue()
    if fmt == "markdown":
        click.echo(rules_markdown(entries), nl=False)
        return
    from rich.console import Console

    console = Console()
    for e in entries:
        console.print(
            f"[bold]{e['id']}[/bold] {e['name']} [dim]({e['category']}, {e['severity']})[/dim]\n    {e['summary']}",
            highlight=False,
        )


@main.command()
@click.argument("rule_id")
def explain(rule_id) -> None:
    """Print the documentation of RULE_ID (an id such as MLD402, or a rule name); for an id
    prefix (MLD4) or a category (unsafe-deserialization), list its rules."""
    from mldebt.catalogue import find as find_rule
    from mldebt.catalogue import listing as rules_listing
    from mldebt.catalogue import shipped_catalogue
    from mldebt.registry import SelectorError

    try:
        entries = find_rule(shipped_catalogue(), rule_id)
    except SelectorError as error:
        raise UsageError(str(error)) from None
    click.echo(entries[0]["explain"] if len(entries) == 1 else rules_listing(entries), nl=False)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", type=TableChoice("mldebt.project.graph", "EXPORTS"), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the graph to FILE.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: available cores).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Config file to use.")
def graph(path, fmt, output, jobs, config) -> None:
    """Export the data/model dependency graph of PATH: which code reads and writes which
    artifacts, and what dvc.yaml declares."""
    from mldebt.engine import scan as run_scan
    from mldebt.project.graph import EXPORTS
    from mldebt.settings import ConfigError, load_settings

    try:
        settings = load_settings(path, config)
        text = EXPORTS[fmt](run_scan(path, settings, jobs=jobs).graph)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - exit 2 with one line, not a traceback
        raise UsageError(f"internal error: {type(error).__name__}: {error} (please report this)") from None
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@main.group()
def cache() -> None:
    """Manage the per-file results cache."""


@cache.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), envvar=ENV_CACHE_DIR, help="The cache to delete.")
def clean(paths, cache_dir) -> None:
    """Delete the cache of the project holding PATHS (default: the current folder)."""
    from mldebt.cache import clean as clean_cache
    from mldebt.settings import ConfigError, project_root

    try:
        folder = cache_dir or project_root(paths or (Path("."),)) / CACHE_DIR_NAME
        removed = clean_cache(folder)
    except (ConfigError, OSError) as error:
        raise UsageError(str(error)) from None
    click.echo(f"mldebt: {'removed' if removed else 'no mldebt cache at'} {folder}", err=True)
