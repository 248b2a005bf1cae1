"""A clone carries production's event triggers, such as a guard refusing DDL outside
migrations: dbrefresh's own DDL (the marker, support functions, scratch tables,
index rebuilds) must get through it without disabling it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo

from dbrefresh.anonymize.api import anonymize, verify_report
from tests.anonymize.helpers import PEOPLE, PEOPLE_RULES, db_with_rules, fingerprint, run_cli

GUARDED = (
    PEOPLE
    + """
CREATE FUNCTION no_ddl() RETURNS event_trigger LANGUAGE plpgsql
AS $$ BEGIN RAISE EXCEPTION 'DDL is only allowed through migrations'; END $$;
CREATE EVENT TRIGGER migrations_only ON ddl_command_start EXECUTE FUNCTION no_ddl();
"""
)


def _guard(dsn: str) -> tuple[str, str]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT evtname, evtenabled FROM pg_event_trigger WHERE evtname = 'migrations_only'"
        ).fetchone()
    assert row is not None
    return row


def test_a_superuser_masks_a_clone_guarded_by_an_event_trigger(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, GUARDED, PEOPLE_RULES, "people.yaml")
    with psycopg.connect(dsn) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("CREATE TABLE probe (id int)")  # the guard works
    result = run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes")
    assert result.code == 0, result.err
    anonymize(dsn, [rules], seed="guard", progress=False)
    assert verify_report(dsn, [rules], seed="guard").findings == []
    with psycopg.connect(dsn) as conn:
        masked = conn.execute("SELECT count(*) FROM people WHERE email LIKE '%corp%'").fetchone()
    assert masked == (0,)
    assert _guard(dsn) == ("migrations_only", "O")  # still there, still enabled


def test_a_role_the_guard_refuses_gets_a_named_error_and_nothing_changes(
    app_role: str, make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, _ = db_with_rules(make_db, tmp_path, GUARDED, PEOPLE_RULES, "people.yaml")
    database = conninfo.conninfo_to_dict(dsn)["dbname"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # past the guard
        conn.execute(f'GRANT CREATE ON DATABASE "{database}" TO {app_role}')
    before = fingerprint(dsn)
    as_app = conninfo.make_conninfo(dsn, user=app_role)
    result = run_cli(capsys, "mark-clone", "--dsn", as_app, "--yes")
    assert result.code == 3
    assert f"cannot write the clone marker into {database}" in result.err
    assert "DDL is only allowed through migrations" in result.err
    assert "event trigger(s) migrations_only" in result.err
    assert "Traceback" not in result.err
    assert fingerprint(dsn) == before  # no dbrefresh schema either
