"""`dbrefresh gate`: judge migrations before deploy. Thin: parse options, call, render."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from dbrefresh.cli.app import app, console
from dbrefresh.cli.options import OptionalDsnOption
from dbrefresh.errors import UsageError, VerdictFailed
from dbrefresh.gate.report import FORMATS, render
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import Limits
from dbrefresh.gate.weigh import Thresholds

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, None: 1}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?b?)\s*$", re.I)


def parse_duration(text: str, option: str) -> timedelta:
    match = _DURATION.match(text)
    if not match:
        raise UsageError(f"{option}: {text!r} is not a duration (e.g. 500ms, 30s, 5m, 24h, 2d)")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2]])


def parse_size(text: str, option: str) -> int:
    match = _SIZE.match(text)
    if not match:
        raise UsageError(f"{option}: {text!r} is not a size (e.g. 1GB, 500MB)")
    power = "bkmgt".index((match[2] or "b")[0].lower())
    return int(float(match[1]) * 1024**power)


@app.command("gate")
def gate_command(
    migrations: Annotated[
        list[Path], typer.Argument(help="Migration .sql files or directories, in run order.")
    ],
    dsn: OptionalDsnOption = None,
    trace: Annotated[
        bool, typer.Option("--trace", help="Trace even when nothing is heavy.")
    ] = False,
    keep: Annotated[
        bool, typer.Option("--keep", help="Trace on staging itself and keep the changes.")
    ] = False,
    max_age: Annotated[str, typer.Option("--max-age", help="Refresh staging if older.")] = "24h",
    fmt: Annotated[str, typer.Option("--format", help="text, json, markdown or junit.")] = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report to this file.")
    ] = None,
    wrap: Annotated[
        str, typer.Option("--wrap", help="script: one transaction per script; none.")
    ] = "script",
    heavy_rows: Annotated[int, typer.Option("--heavy-rows", help="Rows that make it heavy.")] = (
        100_000
    ),
    heavy_size: Annotated[str, typer.Option("--heavy-size", help="Size that is heavy.")] = "1GB",
    warn_rows: Annotated[int, typer.Option("--warn-rows", help="Rows worth a warning.")] = 10_000,
    max_lock: Annotated[
        str, typer.Option("--max-lock", help="Longest a blocking lock may be held.")
    ] = "5s",
    max_total: Annotated[
        str, typer.Option("--max-total", help="Longest the migration may take.")
    ] = "3m",
) -> None:
    """Judge migrations: static analysis, sizes from staging, trace on a copy; exit 0/1/2."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if wrap not in ("script", "none"):
        raise UsageError(f"--wrap: {wrap!r} is not one of script, none")
    options = GateOptions(
        dsn=dsn,
        trace=trace,
        keep=keep,
        max_age=parse_duration(max_age, "--max-age"),
        wrap="script" if wrap == "script" else "none",
        thresholds=Thresholds(heavy_rows, parse_size(heavy_size, "--heavy-size"), warn_rows),
        limits=Limits(
            parse_duration(max_lock, "--max-lock").total_seconds(),
            parse_duration(max_total, "--max-total").total_seconds(),
        ),
    )
    if (trace or keep) and dsn is None:
        raise UsageError("--trace and --keep need --dsn (the staging database)")
    result = gate(migrations, options)
    text = render(result, fmt)
    if output is not None:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"-o {output}: cannot write: {exc.strerror}") from None
    else:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    if not result.passed:
        # VerdictFailed (exit 1) rather than typer.Exit(1): main() runs the app with
        # standalone_mode=False, where click returns an Exit's code instead of raising it.
        raise VerdictFailed("gate: the migration is not safe to deploy as it is")
    raise typer.Exit(0)
