"""`dbrefresh run | status | rollback | cleanup | demo`: parse, call the workflow, render."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from dbrefresh import config as config_mod
from dbrefresh import interrupts
from dbrefresh.cli.app import app, console, console_err, print_table
from dbrefresh.cli.signals import terminate_as_error
from dbrefresh.errors import Aborted, first_line
from dbrefresh.notify import Outcome, destination, send
from dbrefresh.workflow import runner
from dbrefresh.workflow import status as status_mod
from dbrefresh.workflow.steps import STEPS, Step

ConfigOpt = typer.Option(None, "--config", "-c", help="dbrefresh.yaml (default ./dbrefresh.yaml)")
DirOpt = typer.Option(None, "--dir", help="Directory holding dbrefresh.yaml (e.g. the demo's)")
JsonOpt = typer.Option(False, "--json", help="Machine-readable output on stdout")
DemoDirOpt = typer.Option(None, "--dir", help="Where the demo lives (default in README)")
CustomersOpt = typer.Option(20000, "--customers", help="Customers in the demo shop")


def _load(config: Path | None, directory: Path | None) -> config_mod.Config:
    return config_mod.load(config_mod.find_config(config, directory))


class RichReporter(runner.Reporter):
    """One line per step on stderr: plain on a terminal; timestamped otherwise (Jenkins,
    cron), where nothing at all was printed until the run ended. stdout (--json) stays
    the result's alone."""

    def __init__(self) -> None:
        self.live = console_err.is_terminal

    def _say(self, text: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        console_err.print(f"{stamp} {text}", markup=False, soft_wrap=True, highlight=False)

    def run_started(self, run_id: str, resumed: bool) -> None:
        if self.live:
            console_err.print(f"[bold]{'resuming' if resumed else 'run'} {run_id}[/]")
        else:
            self._say(f"{'resuming' if resumed else 'run'} {run_id}")

    def step_started(self, index: int, step: Step) -> None:
        if self.live:
            console_err.print(f"[{index + 1:>2}/{len(STEPS)}] {step.name} … {step.title}")
        else:
            self._say(f"[{index + 1:>2}/{len(STEPS)}] {step.name} started: {step.title}")

    def step_done(self, index: int, step: Step, seconds: float, data: dict[str, Any]) -> None:
        if self.live:
            console_err.print(f"        [green]done[/] {step.name} in {seconds:.1f}s")
        else:
            self._say(f"[{index + 1:>2}/{len(STEPS)}] {step.name} done in {seconds:.1f}s")

    def step_failed(self, index: int, step: Step, seconds: float, error: str) -> None:
        # said at once, whatever the output: the undo (a rollback, a copy deleted) may
        # take a while, and a Ctrl-C was met by seconds of silence. An abort is named
        # here; any other error is said once, at the end (with the summary)
        why = f": {first_line(Exception(error))}" if error.startswith(_ABORTS) else ""
        undoing = "undoing what the run did (wait for it)"
        if self.live:
            console_err.print(f"        [red]failed[/] {step.name} after {seconds:.1f}s", end="")
            console_err.print(f"{why}; {undoing}", markup=False, soft_wrap=True)
        else:
            self._say(
                f"[{index + 1:>2}/{len(STEPS)}] {step.name} FAILED after {seconds:.1f}s"
                f"{why}; {undoing}"
            )


# how the errors of a SIGTERM and a Ctrl-C begin (cli/signals.py, workflow/failing.py)
_ABORTS = ("interrupted", "terminated by signal")


def notify_result(result: runner.RunResult, cfg: config_mod.Config) -> str | None:
    """Post the run's outcome to the webhook; a failing webhook is only a warning
    (returned: the run journals it)."""
    outcome = Outcome(
        run_id=result.run_id,
        target=cfg.target.name,
        ok=result.ok,
        failed_step=result.record.failed_step,
        error=str(result.error) if result.error else None,
        step_seconds=result.step_seconds,
        warnings=tuple(result.record.warnings()),
    )
    host = destination(cfg.notify, outcome)
    if host is None:
        return None
    console_err.print(f"notifying {host} ...", markup=False, soft_wrap=True, highlight=False)
    problem = _send_interruptibly(cfg.notify, outcome, host)
    if problem:
        console_err.print(f"warning: {problem}", markup=False, soft_wrap=True)
    return problem


def _send_interruptibly(notify: config_mod.NotifyConfig, outcome: Outcome, host: str) -> str | None:
    """A Ctrl-C or SIGTERM while the webhook hangs (up to timeout_seconds) cuts only the
    notification short: it used to replace the run's result (after a swap only
    `interrupted`, exit 130, no summary; after a failure the real error and exit 3 lost).
    Outside the POST itself an abort is held and dropped: the run is over."""
    with interrupts.held():
        try:
            with interrupts.interruptible():
                return send(notify, outcome)
        except (KeyboardInterrupt, Aborted):
            return f"notification interrupted (no answer from {host} yet)"


def render_summary(result: runner.RunResult) -> None:
    table = Table(title=f"run {result.run_id}: {'ok' if result.ok else 'FAILED'}")
    table.add_column("step")
    table.add_column("state")
    table.add_column("seconds", justify="right")
    for step in STEPS:
        rec = result.record.steps.get(step.name)
        if rec is None:
            table.add_row(step.name, "-", "")
            continue
        table.add_row(step.name, rec.state, f"{rec.seconds:.1f}" if rec.seconds else "")
    total = sum(result.step_seconds.values())
    table.add_row("total", "", f"{total:.1f}")
    print_table(table)
    for warning in result.record.warnings():
        console.print(f"warning: {warning}", markup=False, soft_wrap=True)


@app.command("run")
def run_cmd(
    config: Path | None = ConfigOpt,
    directory: Path | None = DirOpt,
    resume: str | None = typer.Option(None, "--resume", help="Continue RUN_ID from its journal"),
    as_json: bool = JsonOpt,
) -> None:
    """Refresh staging from production: snapshot, clone, isolate, anonymize, verify, swap."""
    cfg = _load(config, directory)
    with terminate_as_error():
        result = runner.run(
            cfg,
            resume=resume,
            reporter=RichReporter(),
            show_progress=console_err.is_terminal and not as_json,
            notify=notify_result,
        )
    if as_json:
        typer.echo(json.dumps(result.record.to_dict(), indent=2))
    else:
        render_summary(result)
    if result.error is not None:
        raise result.error


@app.command("status")
def status_cmd(
    config: Path | None = ConfigOpt, directory: Path | None = DirOpt, as_json: bool = JsonOpt
) -> None:
    """Runs, their steps, and the age of staging's data (from refresh_info)."""
    cfg = _load(config, directory)
    report = status_mod.status(cfg)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    staging = report["staging"]
    console.print(
        f"staging [bold]{cfg.target.name}[/]: "
        + (
            f"data from {_age(staging['age_seconds'])} ago (run {staging['run_id']})"
            if staging.get("run_id")
            else str(staging.get("error", "no refresh_info"))
        )
    )
    table = Table(title="runs")
    for col in ("run", "state", "failed step", "seconds"):
        table.add_column(col)
    for run in report["runs"]:
        seconds = sum(s["seconds"] or 0 for s in run["steps"])
        state = run["state"] + (" (rolled back)" if run["rolled_back"] else "")
        state += " (rollback interrupted)" if run.get("rollback") else ""
        table.add_row(run["run_id"], state, run["failed_step"] or "", f"{seconds:.1f}")
    print_table(table)
    if report.get("note"):
        console.print(report["note"], markup=False, soft_wrap=True)
    for run in report["runs"]:
        if run.get("next"):
            console.print(f"run {run['run_id']}: {run['next']}", markup=False, soft_wrap=True)


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


@app.command("rollback")
def rollback_cmd(
    config: Path | None = ConfigOpt,
    directory: Path | None = DirOpt,
    run_id: str | None = typer.Option(None, "--run", help="Undo this run (default: newest)"),
) -> None:
    """Put staging's previous data back and serve it."""
    cfg = _load(config, directory)
    with terminate_as_error():  # an abort still ends with staging serving: exit 3
        undone = runner.rollback(cfg, run_id=run_id)
    console.print(f"staging rolled back to the data it had before run {undone}")


@app.command("cleanup")
def cleanup_cmd(
    config: Path | None = ConfigOpt, directory: Path | None = DirOpt, as_json: bool = JsonOpt
) -> None:
    """Remove whatever dead runs left behind; staging ends serving whole data."""
    cfg = _load(config, directory)
    with terminate_as_error():
        report = runner.cleanup(cfg)
    if as_json:
        typer.echo(json.dumps(report.__dict__, indent=2))
        return
    if report.replaced:
        console.print(report.replaced, markup=False, soft_wrap=True)
    if report.started:
        console.print("staging was not serving: started it")
    for settled in report.settled:
        console.print(settled, markup=False, soft_wrap=True)
    if not (report.runs or report.removed or report.started or report.settled):
        console.print("nothing to clean up")
    for run_id in report.runs:
        rolled = " (staging rolled back)" if run_id in report.rolled_back else ""
        if run_id in report.superseded:
            rolled = " (not rolled back: a later run's data serves staging)"
        console.print(f"cleaned run {run_id}{rolled}", markup=False, soft_wrap=True)
    for item in report.removed:
        console.print(f"removed {item}")
    for item in report.left_alone:
        console.print(f"left alone: {item}", markup=False, soft_wrap=True)


@app.command("demo")
def demo_cmd(
    directory: Path | None = DemoDirOpt,
    rows: int = CustomersOpt,
) -> None:
    """Build a demo production and staging on local servers, then refresh staging."""
    from dbrefresh.demo.orchestrate import open_demo

    demo = open_demo(directory, rows, console)
    print_table(demo.tables("production"))
    print_table(demo.tables("staging before"))
    cfg = config_mod.load(demo.config)
    with terminate_as_error():
        result = runner.run(
            cfg,
            reporter=RichReporter(),
            show_progress=console_err.is_terminal,
            notify=notify_result,
        )
    render_summary(result)
    if result.error is not None:
        raise result.error
    print_table(demo.tables("staging after"))
    where = demo.directory
    console.print(
        f"config: {demo.config}\nnext: dbrefresh status --dir {where}  ·  "
        f"dbrefresh run --dir {where}  ·  dbrefresh rollback --dir {where}"
    )
