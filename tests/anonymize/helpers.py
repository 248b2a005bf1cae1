"""Helpers for anonymization tests: run the CLI in-process, fingerprint a database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.anonymize.verify import VerifyReport
from dbrefresh.cli import main
from dbrefresh.errors import RulesError
from dbrefresh.findings import Finding

REPO = Path(__file__).resolve().parents[2]
CHINOOK_RULES = REPO / "rules" / "chinook.yaml"

# A small table with one masked column, for tests about something other than masking.
PEOPLE = """
CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL UNIQUE);
INSERT INTO people SELECT i, format('p%s@corp.example', i) FROM generate_series(1, 50) i;
"""
PEOPLE_RULES = """version: 1
tables:
  public.people:
    columns:
      id: keep
      email: {strategy: email, unique: true}
"""

# accounts(email PRIMARY KEY) and logins(id, email REFERENCES accounts), both masked
# alike: for tests about keys whose two sides compare values in different ways.
ACCOUNTS_LOGINS_RULES = """version: 1
tables:
  public.accounts:
    columns:
      email: {strategy: email, unique: true}
  public.logins:
    columns:
      id: keep
      email: {strategy: email, unique: true}
"""


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def user_tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables "
        "WHERE schemaname NOT IN ('dbrefresh') ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def fingerprint(dsn: str) -> dict[str, str]:
    """md5 of every user table's rows (order-independent) plus the schema objects list."""
    with psycopg.connect(dsn) as conn:
        out = {}
        for table in user_tables(conn):
            row = conn.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {table} t"
            ).fetchone()
            out[table] = row[0]
        out["__schemas__"] = ",".join(
            r[0] for r in conn.execute("SELECT nspname FROM pg_namespace ORDER BY 1").fetchall()
        )
        return out


def verify_cli(capsys: pytest.CaptureFixture[str], dsn: str, rules: Path) -> tuple[int, str]:
    """`dbrefresh verify` (seed "s") as a user runs it: its exit code and all it said."""
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    return result.code, result.out + result.err


def mask_and_verify(dsn: str, rules: Path, seed: str = "s") -> VerifyReport:
    """Mark the database a clone, anonymize it with the rules, and verify it."""
    mark_clone(dsn)
    anonymize(dsn, [rules], seed=seed, progress=False)
    return verify_report(dsn, [rules], seed=seed)


def refused_findings(dsn: str, rules: Path) -> list[Finding]:
    """Mark the database a clone, have anonymize refuse the rules (RulesError), check
    nothing changed, and return what the compiler said."""
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(RulesError) as refused:
        anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(dsn) == before
    return refused.value.findings


def db_with_rules(
    make_db: Callable[[], str], tmp_path: Path, schema: str, rules: str, name: str
) -> tuple[str, Path]:
    """A new database holding `schema`, and the rules file `name` holding `rules`."""
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(schema)
    path = tmp_path / name
    path.write_text(rules)
    return dsn, path


class Aborted(Exception):
    """What the alarm raises in the main thread (the `abort_on_alarm` fixture), as
    `dbrefresh run`'s SIGTERM handler does."""
