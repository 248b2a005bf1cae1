"""Probes follow a table the migration renames: a heavy statement on it after the
rename is still measured for the reads and writes it blocks (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import Limits


@pytest.mark.parametrize(
    "rename",
    ["ALTER TABLE big RENAME TO members", "ALTER TABLE big SET SCHEMA app"],
)
def test_a_statement_after_a_committed_rename_is_probed_on_the_new_name(
    staging_dsn: str, write_sql: Callable[..., Path], rename: str
) -> None:
    """The rename commits (its own script) before the rewrite runs: probes naming the
    table as staging had it would find nothing and count as never blocked."""
    moved = "members" if "RENAME" in rename else "app.big"
    first = write_sql(f"SET lock_timeout = '2s';\nCREATE SCHEMA app;\n{rename};\n", "V1__a.sql")
    second = write_sql(
        f"SET lock_timeout = '2s';\nALTER TABLE {moved} ALTER COLUMN v TYPE bigint;\n",
        "V2__b.sql",
    )

    result = gate([first, second], GateOptions(dsn=staging_dsn, limits=Limits(0.05)))

    alter = result.statements[4]
    assert alter.weight == "heavy"
    t = alter.trace
    assert t is not None and t.error is None and t.seconds > 0.2
    p = t.probes
    assert p.read_probes >= 2 and p.write_probes >= 2
    assert p.reads_blocked >= 2 and p.writes_blocked >= 2
    assert p.tables == [moved]  # named as the statement names it
    assert p.write_wait >= 0.5 * t.seconds
    blocked = [f for f in result.findings if f.finding.code == "trace-queries-blocked"]
    assert [f.finding.severity.value for f in blocked] == ["error"]
    assert not result.passed
    assert result.trace is not None and not result.trace.probe_problems


def test_a_statement_after_a_column_rename_is_probed(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    first = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE big RENAME COLUMN v TO w;\n", "V1__a.sql"
    )
    second = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE big ALTER COLUMN w TYPE bigint;\n", "V2__b.sql"
    )

    result = gate([first, second], GateOptions(dsn=staging_dsn, limits=Limits(0.05)))

    t = result.statements[3].trace
    assert t is not None and t.error is None
    assert t.probes.reads_blocked >= 2 and t.probes.writes_blocked >= 2
    assert t.probes.tables == ["big"]
    assert not result.passed


def test_probes_do_not_follow_the_old_name_to_a_new_table(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """`big` renamed away and a new, empty `big` created in its place: the probes keep to
    staging's table (now big_old), and the rewrite of big_old is what they see blocked."""
    first = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE big RENAME TO big_old;\n"
        "CREATE TABLE big (id int PRIMARY KEY);\n",
        "V1__a.sql",
    )
    second = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE big_old ALTER COLUMN v TYPE bigint;\n",
        "V2__b.sql",
    )

    result = gate([first, second], GateOptions(dsn=staging_dsn, limits=Limits(0.05)))

    t = result.statements[4].trace
    assert t is not None and t.error is None
    assert t.probes.writes_blocked >= 2 and t.probes.tables == ["big_old"]
