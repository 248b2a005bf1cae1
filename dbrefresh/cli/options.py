"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DsnOption = Annotated[
    str,
    typer.Option(
        "--dsn", envvar="DBREFRESH_DSN", help="PostgreSQL DSN of the database.", show_envvar=True
    ),
]
OptionalDsnOption = Annotated[
    str | None,
    typer.Option("--dsn", envvar="DBREFRESH_DSN", help="PostgreSQL DSN of the database."),
]
RulesArgument = Annotated[
    list[Path], typer.Argument(help="Rule files (YAML) for this database.", show_default=False)
]
SeedOption = Annotated[
    str | None,
    typer.Option(
        "--seed",
        help="Masking seed (default: the env variable the rules name).",
        show_default=False,
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="Output format: text or json.")]
