"""`dbrefresh gate`: judge migrations before deploy. Thin: parse options, call, render.

With `--config/--dir` (dbrefresh.yaml, as for `run`), the config's `gate:` section gives
the thresholds (each flag overrides its key), staging's DSN defaults to `target.dsn`, and
`WorkflowRefresher` keeps staging fresh around a trace through the refresh workflow.
The adapter lives here, not in dbrefresh.gate: the import-linter layers make
dbrefresh.gate and dbrefresh.workflow independent siblings, and the CLI is the layer that
wires them together (gate/trace.py defines the `Refresher` protocol it implements).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import psycopg
import typer

from dbrefresh import config as config_mod
from dbrefresh.cli.app import app, console
from dbrefresh.cli.options import OptionalDsnOption
from dbrefresh.cli.refresh import RichReporter, notify_result
from dbrefresh.cli.signals import terminate_as_error
from dbrefresh.errors import (
    EXIT_VERDICT,
    DbrefreshError,
    InfraError,
    UsageError,
    VerdictFailed,
    first_line,
)
from dbrefresh.gate import files, history
from dbrefresh.gate.report import FORMATS, render, render_junit_error
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.trace import Refresher
from dbrefresh.gate.verdict import GateResult, Limits
from dbrefresh.gate.weigh import Thresholds
from dbrefresh.workflow import runner
from dbrefresh.workflow.status import staging_info


def parse_duration(text: str, option: str) -> timedelta:
    try:
        return timedelta(seconds=config_mod.parse_duration(text))
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def parse_size(text: str, option: str) -> int:
    try:
        return config_mod.parse_size(text)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _positive(value: float, option: str, given: object) -> float:
    """A threshold must be above 0: a negative one is a typo, and 0 would make every
    statement heavy or every lock too long (--trace is the way to always trace)."""
    if value <= 0:
        raise UsageError(f"{option}: must be more than 0, not {given}")
    return value


def rows_threshold(given: int | None, option: str, default: int) -> int:
    return default if given is None else int(_positive(given, option, given))


def size_threshold(given: str | None, option: str, default: int) -> int:
    return default if given is None else int(_positive(parse_size(given, option), option, given))


def seconds_threshold(given: str | None, option: str, default: float) -> float:
    if given is None:
        return default
    return _positive(parse_duration(given, option).total_seconds(), option, given)


def _thresholds(
    cfg: config_mod.Config | None, heavy_rows: int | None, heavy_size: str | None, warn: int | None
) -> Thresholds:
    """Flags over the config's gate: section over defaults. A warn threshold above the
    heavy one is refused when given (flag or config); the default one is lowered to the
    heavy threshold instead, so `--heavy-rows 5000` alone needs no `--warn-rows`."""
    g = cfg.gate if cfg is not None else config_mod.GateConfig()
    heavy = rows_threshold(heavy_rows, "--heavy-rows", g.heavy_rows)
    size = size_threshold(heavy_size, "--heavy-size", g.heavy_size)
    if warn is None and "warn_rows" not in g.model_fields_set:
        return Thresholds(heavy, size, min(g.warn_rows, heavy))
    warn_rows = rows_threshold(warn, "--warn-rows", g.warn_rows)
    if warn_rows > heavy:
        warn_from = "--warn-rows" if warn is not None else "the config's gate.warn_rows"
        heavy_from = (
            "--heavy-rows"
            if heavy_rows is not None
            else "the config's gate.heavy_rows"
            if "heavy_rows" in g.model_fields_set
            else "the default heavy rows"
        )
        raise UsageError(
            f"{warn_from} {warn_rows} is above {heavy_from} {heavy}: a statement is heavy "
            "before it could warn; give a warn threshold at or below the heavy one"
        )
    return Thresholds(heavy, size, warn_rows)


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


class WorkflowRefresher:
    """Refresher over the refresh workflow: staging's data age from refresh_info (as
    `dbrefresh status` reads it), and `runner.run` (what `dbrefresh run` calls) when
    that is older than max_age or unknown."""

    def __init__(self, cfg: config_mod.Config, *, clock: Callable[[], float] = time.time) -> None:
        self.config = cfg
        self.clock = clock
        self.runs: list[str] = []

    def _refresh(self, when: str, outcome: str) -> str:
        """A refresh run. Its error (a bare pg_basebackup failure, say, read as the
        gate's own) says it came from the refresh `when`, and `outcome`; exit code kept."""
        run = ""
        try:
            result = runner.run(
                self.config, reporter=RichReporter(), show_progress=False, notify=notify_result
            )
            run = f" (run {result.run_id})"
            if result.error is not None:
                raise result.error
        except DbrefreshError as error:
            text = f"the refresh of staging {when}{run} failed ({outcome}): {error}"
            if error.exit_code == EXIT_VERDICT:
                # the run's verify or health check said no: exit 1 is the gate's own
                # "unsafe migration" verdict, so a failed refresh is infrastructure (3)
                raise InfraError(text) from error
            error.args = (text,)
            raise
        self.runs.append(result.run_id)
        return result.run_id

    def ensure_fresh(self, max_age: timedelta) -> str:
        info = staging_info(self.config, self.clock())
        age = info.get("age_seconds")
        limit = _age(max_age.total_seconds())
        if age is not None and age <= max_age.total_seconds():
            return (
                f"staging data is {_age(age)} old (run {info['run_id']}), within "
                f"--max-age {limit}: not refreshed"
            )
        why = f"data {_age(age)} old" if age is not None else str(info.get("error"))
        run_id = self._refresh("before the trace", "nothing was traced")
        return f"staging refreshed first by run {run_id} ({why}; --max-age {limit})"

    def restore(self) -> None:
        """After an in-place trace: refresh again (staging gets production's data, masked)."""
        self._refresh("after the in-place trace", "staging was not restored")


def _refresher(cfg: config_mod.Config | None) -> Refresher | None:
    return WorkflowRefresher(cfg) if cfg is not None else None


@app.command("gate")
def gate_command(
    migrations: Annotated[
        list[Path], typer.Argument(help="Migration .sql files or directories, in run order.")
    ],
    dsn: OptionalDsnOption = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="dbrefresh.yaml: gate thresholds, staging, refresh first."
        ),
    ] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Directory holding dbrefresh.yaml.")
    ] = None,
    trace: Annotated[
        bool, typer.Option("--trace", help="Trace even when nothing is heavy.")
    ] = False,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep",
            help="Apply the migration to staging itself (a trace, even when nothing is "
            "heavy) and keep the changes.",
        ),
    ] = False,
    max_age: Annotated[
        str | None,
        typer.Option(
            "--max-age",
            help="Refresh staging first when its data is older than this (default 24h).",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json, markdown or junit.")] = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report to this file.")
    ] = None,
    wrap: Annotated[
        str, typer.Option("--wrap", help="script: one transaction per script; none.")
    ] = "script",
    heavy_rows: Annotated[
        int | None, typer.Option("--heavy-rows", help="Rows that make it heavy [100000].")
    ] = None,
    heavy_size: Annotated[
        str | None, typer.Option("--heavy-size", help="Size that is heavy [1GB].")
    ] = None,
    warn_rows: Annotated[
        int | None, typer.Option("--warn-rows", help="Rows worth a warning [10000].")
    ] = None,
    max_lock: Annotated[
        str | None,
        typer.Option("--max-lock", help="Longest a blocking lock / write wait may last [5s]."),
    ] = None,
    max_total: Annotated[
        str | None, typer.Option("--max-total", help="Longest the migration may take [3m].")
    ] = None,
) -> None:
    """Judge migrations: static analysis, sizes from staging, trace on a copy; exit 0/1/2."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    try:
        text, passed = _judge(
            migrations,
            dsn,
            (config, directory),
            trace=trace,
            keep=keep,
            max_age=max_age,
            fmt=fmt,
            wrap=wrap,
            limits=(heavy_rows, heavy_size, warn_rows, max_lock, max_total),
        )
    except (DbrefreshError, psycopg.Error) as exc:
        # no verdict (exit 2 or 3): a JUnit report still says why, or CI's `junit
        # 'gate.xml'` fails on a missing file instead of on the cause
        if fmt == "junit" and output is not None and str(output) != "-":
            code = exc.exit_code if isinstance(exc, DbrefreshError) else InfraError.exit_code
            message = (
                str(exc) if isinstance(exc, DbrefreshError) else f"database: {first_line(exc)}"
            )
            _write(output, render_junit_error(message, code))
        raise
    if output is not None and str(output) != "-":  # '-': standard output
        _write(output, text)
    else:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    if not passed:
        # VerdictFailed (exit 1) rather than typer.Exit(1): main() runs the app with
        # standalone_mode=False, where click returns an Exit's code instead of raising it.
        raise VerdictFailed("gate: the migration is not safe to deploy as it is")
    raise typer.Exit(0)


def _write(output: Path, text: str) -> None:
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"-o {output}: cannot write: {exc.strerror}") from None


def _judge(
    migrations: list[Path],
    dsn: str | None,
    where: tuple[Path | None, Path | None],
    *,
    trace: bool,
    keep: bool,
    max_age: str | None,
    fmt: str,
    wrap: str,
    limits: tuple[int | None, str | None, int | None, str | None, str | None],
) -> tuple[str, bool]:
    """The report in `fmt`, and whether the migration passed. `where`: --config, --dir;
    `limits`: --heavy-rows, --heavy-size, --warn-rows, --max-lock, --max-total."""
    config, directory = where
    heavy_rows, heavy_size, warn_rows, max_lock, max_total = limits
    if wrap not in ("script", "none"):
        raise UsageError(f"--wrap: {wrap!r} is not one of script, none")
    cfg = (
        config_mod.load(config_mod.find_config(config, directory))
        if config is not None or directory is not None
        else None
    )
    g = cfg.gate if cfg is not None else config_mod.GateConfig()
    dsn = dsn if dsn is not None else (cfg.target.dsn if cfg is not None else None)
    options = GateOptions(
        dsn=dsn,
        trace=trace,
        keep=keep,
        max_age=(
            parse_duration(max_age, "--max-age")  # 0 is meaningful: always refresh first
            if max_age is not None
            else timedelta(seconds=g.max_age)
        ),
        wrap="script" if wrap == "script" else "none",
        thresholds=_thresholds(cfg, heavy_rows, heavy_size, warn_rows),
        limits=Limits(
            seconds_threshold(max_lock, "--max-lock", g.max_lock),
            seconds_threshold(max_total, "--max-total", g.max_total),
        ),
    )
    if (trace or keep) and dsn is None:
        raise UsageError("--trace and --keep need --dsn (the staging database) or --config")
    # Directories are expanded here so the report can say which files were left out
    # (down migrations); gate() gets the explicit list and reads exactly those files.
    found = files.find(migrations)
    applied = history.skip_applied(dsn, found) if dsn is not None else []
    if not found.files:  # every migration is applied already: nothing would run
        notes = [*found.notes, *applied, "nothing to judge: no migration left to apply"]
        return render(GateResult([], [], None, notes), fmt), True
    with terminate_as_error():  # a trace's copy and a refresh clean up on an abort
        result = gate(found.files, options, refresher=_refresher(cfg))
    result.notes[:0] = found.notes + applied
    return render(result, fmt), result.passed
