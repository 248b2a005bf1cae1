"""Tables the CLI prints keep whole names off a terminal (a nightly log) and fit the
terminal on one."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from dbrefresh.cli.app import print_table

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
