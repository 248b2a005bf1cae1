"""Tables the CLI prints keep whole names off a terminal (a nightly log) and fit the
terminal on one."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console
from rich.table import Table

from dbrefresh.cli.app import print_table
from tests.anonymize.helpers import run_cli

NAME = "chatwoot.conversations.additional_attributes_of_a_rather_long_table_name.column"


def _table() -> Table:
    table = Table("column", "survivors")
    table.add_row(NAME, "3")
    return table


def test_off_a_terminal_a_table_is_printed_whole() -> None:
    out = io.StringIO()
    print_table(_table(), Console(file=out, width=80))
    assert NAME in out.getvalue()


def test_on_a_terminal_a_table_fits_its_width() -> None:
    out = io.StringIO()
    print_table(_table(), Console(file=out, width=60, force_terminal=True, color_system=None))
    assert NAME not in out.getvalue()
    assert max(len(line) for line in out.getvalue().splitlines()) <= 60


def test_off_a_terminal_a_long_line_stays_one_line(
    make_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A nightly job's log: `marked <dsn> as a clone` with a long DSN was cut at 80
    columns, so grep for the DSN or a path found nothing."""
    dsn = make_db() + " application_name=" + "a_rather_long_application_name_" * 3
    result = run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes")
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if line.startswith("marked ")]
    assert len(lines) == 1 and lines[0].endswith(" as a clone"), result.out
    assert len(lines[0]) > 120
