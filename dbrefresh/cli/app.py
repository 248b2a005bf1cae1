"""The typer application object and state shared by command modules."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

app = typer.Typer(
    name="dbrefresh",
    help="Refresh staging PostgreSQL from production, anonymized and proven clean.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Write, check and describe rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

console = Console(highlight=False)
console_err = Console(stderr=True, highlight=False)

_UNBOUNDED = 100_000


def print_table(table: Table, out: Console | None = None) -> None:
    """A table at the terminal's width; written to a file or a pipe (a nightly log), at
    its own full width instead: cut at 80 columns, verify's report named the leaking
    column `chatwoot.conversations.addition…`."""
    out = out or console
    if out.is_terminal:
        out.print(table)
        return
    width = Measurement.get(out, out.options.update_width(_UNBOUNDED), table).maximum
    Console(file=out.file, width=max(width, out.width), highlight=False).print(table)


@dataclass
class CliState:
    debug: bool = False


state = CliState()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    state.debug = debug
    # Written to a file or a pipe (a nightly job's log), a line stays one line: wrapped
    # at 80 columns, paths and DSNs were cut in two and grep missed them.
    for out in (console, console_err):
        out.soft_wrap = not out.is_terminal
