"""Which role each command needs: anonymize a superuser (it runs as a replica, which
only superusers may), verify any role that may read the tables and the dbrefresh schema."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.errors import UsageError
from tests.anonymize.helpers import PEOPLE, PEOPLE_RULES, db_with_rules, fingerprint, run_cli


def _grant_reading(dsn: str, role: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA dbrefresh TO {role}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA dbrefresh, public TO {role}")


def _installed(dsn: str) -> bool:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT to_regproc('dbrefresh.keyed') IS NOT NULL").fetchone()
    return bool(row and row[0])


def test_anonymize_as_another_role_is_refused_before_anything_changes(
    app_role: str, make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, PEOPLE, PEOPLE_RULES, "people.yaml")
    mark_clone(dsn)
    _grant_reading(dsn, app_role)
    before = fingerprint(dsn)
    as_app = conninfo.make_conninfo(dsn, user=app_role)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", as_app, "--seed", "r")
    assert result.code == 2
    assert "anonymize needs a superuser" in result.err and f"'{app_role}' is not one" in result.err
    assert "Traceback" not in result.err
    assert fingerprint(dsn) == before
    assert not _installed(dsn)  # not even the support functions


def test_verify_runs_as_a_role_that_may_read(
    app_role: str, make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, PEOPLE, PEOPLE_RULES, "people.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="r", progress=False)
    as_app = conninfo.make_conninfo(dsn, user=app_role)
    # Without read access: PostgreSQL's refusal, named, exit 3, no traceback.
    result = run_cli(capsys, "verify", str(rules), "--dsn", as_app, "--seed", "r")
    assert result.code == 3
    assert "error: database: permission denied for" in result.err
    assert "Traceback" not in result.err
    _grant_reading(dsn, app_role)
    report = verify_report(as_app, [rules], seed="r")
    assert report.findings == []
    assert report.sampled == {"public.people.email": 50}
    assert report.leaks == {"public.people.email": 0}


def test_verify_as_a_role_with_its_own_output_settings_finds_the_same_rows(
    app_role: str, make_db, tmp_path: Path
) -> None:
    """Leak samples of a table without a primary key are keyed by a digest of the kept
    columns' text: a verifying role whose settings print bytes, dates or money otherwise
    would match no row, and report a restored original as clean."""
    schema = (
        "CREATE TABLE badges (token bytea, issued date, fee money, holder text);"
        "INSERT INTO badges SELECT decode(md5(i::text), 'hex'), date '2024-01-01' + i, i,"
        " format('Holder %s', i) FROM generate_series(1, 40) i;"
    )
    rules_text = (
        "version: 1\ntables:\n  public.badges:\n    columns:\n"
        "      token: keep\n      issued: keep\n      fee: keep\n      holder: full_name\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "badges.yaml")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            f"ALTER ROLE {app_role} IN DATABASE {conninfo.conninfo_to_dict(dsn)['dbname']}"
            " SET bytea_output = 'escape'"
        )
        conn.execute(f"ALTER ROLE {app_role} SET DateStyle = 'SQL, DMY'")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="r", progress=False)
    _grant_reading(dsn, app_role)
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE badges SET holder = 'Holder 7' WHERE fee = 7::money")
    as_app = conninfo.make_conninfo(dsn, user=app_role)
    assert verify_report(as_app, [rules], seed="r").leaks == {"public.badges.holder": 1}


def test_verify_refuses_a_role_that_row_level_security_shows_part_of_a_table(
    app_role: str, make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy hiding rows would have verify judge what it cannot see: 0 rows and 0
    leaks for a table holding a restored original. It must refuse, not pass."""
    dsn, rules = db_with_rules(make_db, tmp_path, PEOPLE, PEOPLE_RULES, "people.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="r", progress=False)
    _grant_reading(dsn, app_role)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE people SET email = 'p7@corp.example' WHERE id = 7")
        conn.execute("ALTER TABLE people ENABLE ROW LEVEL SECURITY")
        conn.execute("CREATE POLICY odd ON people USING (id % 2 = 0)")
    as_app = conninfo.make_conninfo(dsn, user=app_role)
    result = run_cli(capsys, "verify", str(rules), "--dsn", as_app, "--seed", "r")
    assert result.code == 2
    assert "row-level security filters public.people" in result.err
    assert f"for role '{app_role}'" in result.err and "Traceback" not in result.err
    # Allowed to see every row, the same role finds the restored original.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"ALTER ROLE {app_role} BYPASSRLS")
    report = verify_report(as_app, [rules], seed="r")
    assert report.leaks == {"public.people.email": 1}
    # The owner is refused only when the table forces its policies on the owner too.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE people FORCE ROW LEVEL SECURITY")
        conn.execute(f"ALTER ROLE {app_role} NOBYPASSRLS")
        conn.execute(f"ALTER TABLE people OWNER TO {app_role}")
    with pytest.raises(UsageError, match=r"row-level security filters public\.people"):
        verify_report(as_app, [rules], seed="r")
