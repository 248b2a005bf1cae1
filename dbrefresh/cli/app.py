"""The typer application object and state shared by command modules."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from rich.console import Console

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


@dataclass
class CliState:
    debug: bool = False


state = CliState()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    state.debug = debug
