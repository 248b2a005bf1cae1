"""A foreign key declared on a new column (Django's AddField(ForeignKey(null=True))):
PostgreSQL validates it only when the column gets a DEFAULT or generated value; without
one every row holds NULL and nothing is scanned. Each table is named with its own lock:
ACCESS EXCLUSIVE on the altered one, SHARE ROW EXCLUSIVE on the referenced one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.findings import Severity
from dbrefresh.gate.run import GateOptions, gate

RULE = "add-foreign-key-validates"
DJANGO = (
    'ALTER TABLE "big" ADD COLUMN "parent_id" integer NULL CONSTRAINT "big_parent_fk" '
    'REFERENCES "parent"("id") DEFERRABLE INITIALLY DEFERRED'
)


def _on_postgres(dsn: str, alter: str) -> tuple[int, dict[str, set[str]]]:
    """What PostgreSQL does: sequential scans of `big` and the locks taken (rolled back)."""
    with psycopg.connect(dsn) as conn:
        conn.execute(alter)
        row = conn.execute(
            "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'big'"
        ).fetchone()
        locks: dict[str, set[str]] = {}
        for rel, mode in conn.execute(
            "SELECT relation::regclass::text, mode FROM pg_locks "
            "WHERE pid = pg_backend_pid() AND relation::regclass::text IN ('big', 'parent')"
        ).fetchall():
            locks.setdefault(rel, set()).add(mode)
        conn.rollback()
    assert row is not None
    return int(row[0]), locks


def test_a_new_column_without_default_is_not_scanned(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    scans, locks = _on_postgres(staging_dsn, DJANGO)
    assert scans == 0  # PostgreSQL skips the validation
    assert "AccessExclusiveLock" in locks["big"]
    assert "AccessExclusiveLock" not in locks["parent"]
    assert "ShareRowExclusiveLock" in locks["parent"]
    path = write_sql(f"SET lock_timeout = '2s';\n{DJANGO};\n")

    result = gate([path], GateOptions(dsn=staging_dsn))

    assert [f for f in result.findings if f.finding.code == RULE] == []
    alter = result.statements[1]
    assert alter.classified.work.value == "metadata"
    assert alter.weight == "light"
    # the key still lacks an index: that finding stays
    assert "fk-without-index" in alter.rules


def test_a_new_column_with_a_default_is_scanned_under_access_exclusive(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    alter = "ALTER TABLE big ADD parent_id int DEFAULT 1 REFERENCES parent (id)"
    scans, _ = _on_postgres(staging_dsn, alter)
    assert scans == 1  # validated
    path = write_sql(f"SET lock_timeout = '2s';\n{alter};\n")

    result = gate([path], GateOptions(dsn=staging_dsn))

    [finding] = [f.finding for f in result.findings if f.finding.code == RULE]
    assert finding.severity is Severity.WARNING  # heavy, traced under the lock limit
    assert "with a DEFAULT" in finding.message
    assert "ACCESS EXCLUSIVE on it" in finding.message
    assert "SHARE ROW EXCLUSIVE on parent" in finding.message


def test_the_lock_message_names_each_table_with_its_own_mode(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(f"BEGIN;\n{DJANGO};\nCOMMIT;\n")

    result = gate([path], GateOptions(dsn=staging_dsn))

    [finding] = [f.finding for f in result.findings if f.finding.code == "missing-lock-timeout"]
    assert "takes ACCESS EXCLUSIVE on big and SHARE ROW EXCLUSIVE on parent" in finding.message
