"""The dbrefresh command line: parse, call the library, render. No logic lives here.

Errors raised by the library carry their exit code; `main` maps them to a message on
stderr (no traceback unless --debug).
"""

from __future__ import annotations

import logging
import sys

import psycopg
import typer

from dbrefresh.cli.app import app, console_err, state
from dbrefresh.errors import DbrefreshError, InfraError, first_line

# Command modules register themselves on `app` when imported.
from dbrefresh.cli import anonymize as _anonymize  # noqa: F401  isort: skip

__all__ = ["app", "main"]

INTERRUPTED = 130  # the shell's code for SIGINT; typer exits with it on KeyboardInterrupt


def _load_optional_commands() -> None:
    """Import command groups that live in their own modules (gate, refresh)."""
    import importlib

    for name in ("dbrefresh.cli.gate", "dbrefresh.cli.refresh"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


class _DriverWarnings(logging.Handler):
    """psycopg's own warnings (`error ignored in rollback on <psycopg.Connection ...>`,
    when a connection closed by an abort cannot roll back): without a handler Python
    printed them beside the run's messages, which say what happened. Shown with --debug."""

    def emit(self, record: logging.LogRecord) -> None:
        if state.debug:
            console_err.print(f"psycopg: {record.getMessage()}", markup=False, soft_wrap=True)


def _usage_errors() -> tuple[type[Exception], ...]:
    """Exception classes of command-line mistakes. Recent typer vendors click (its
    ClickException derives from typer.TyperException), older typer uses click's own."""
    import click

    vendored: type[Exception] = getattr(typer, "TyperException", click.ClickException)
    return (click.ClickException, vendored)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the process exit code."""
    _load_optional_commands()
    driver = logging.getLogger("psycopg")
    if not any(isinstance(h, _DriverWarnings) for h in driver.handlers):
        driver.addHandler(_DriverWarnings())
    try:
        # With standalone_mode off, click returns the code of a typer.Exit instead of exiting.
        result = app(args=argv, standalone_mode=False)
    except DbrefreshError as exc:
        if state.debug:
            console_err.print_exception()
        console_err.print("[bold red]error:[/] ", end="", markup=True)
        console_err.print(str(exc), markup=False, soft_wrap=True)
        return exc.exit_code
    except psycopg.Error as exc:  # a refusal the library did not name: still exit 3
        if state.debug:
            console_err.print_exception()
        console_err.print("[bold red]error:[/] database: ", end="", markup=True)
        console_err.print(first_line(exc), markup=False, soft_wrap=True)
        return InfraError.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        console_err.print("aborted")
        return 2
    except Exception as exc:  # usage errors: unknown option, missing argument, bad value
        if isinstance(exc, _usage_errors()):
            exc.show()  # type: ignore[attr-defined]
            return 2
        raise
    if result == INTERRUPTED:  # typer's Ctrl-C; the library cleaned up on its way out
        console_err.print("interrupted")
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
