"""A unique key on a generated column holds the columns its expression reads: a lossy
rule on one of them is refused by the compiler, not by a duplicate key at the swap."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import db_with_rules, fingerprint, run_cli

SCHEMA = """
CREATE TABLE users (
    id int PRIMARY KEY,
    email text NOT NULL,
    email_lc text GENERATED ALWAYS AS (lower(email)) STORED UNIQUE
);
INSERT INTO users (id, email) SELECT g, 'User' || g || '@corp.test' FROM generate_series(1, 3000) g;
"""
RULES = """version: 1
tables:
  public.users:
    columns:
      id: keep
      email: {rule}
      email_lc: keep
"""


def test_a_lossy_rule_under_a_generated_unique_column_is_refused_first(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBREFRESH_SEED", "s3cr3t")
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES.format(rule="email"), "u.yaml")
    check = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    said = check.out + check.err
    assert check.code == 2, said
    assert f"{rules}:6: public.users.email" in said
    assert "users_email_lc_key" in said
    mark_clone(dsn)
    before = fingerprint(dsn)
    refused = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--no-progress")
    assert refused.code == 2 and "users_email_lc_key" in refused.out + refused.err
    assert fingerprint(dsn) == before

    # a lossy strategy other than email's own: the compiler's lossy-on-unique
    rules.write_text(RULES.format(rule="first_name"))
    check = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    assert check.code == 2 and "read by unique key users_email_lc_key" in check.out + check.err

    rules.write_text(RULES.format(rule="{strategy: email, unique: true}"))
    assert run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn).code == 0
    anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        left = conn.execute("SELECT count(*) FROM users WHERE email LIKE '%corp.test'").fetchone()
        assert left[0] == 0
        assert conn.execute("SELECT count(DISTINCT email_lc) FROM users").fetchone()[0] == 3000
    assert verify_report(dsn, [rules], seed="s").findings == []


def test_a_key_expression_over_a_generated_column_holds_what_it_is_computed_from(
    make_db, tmp_path: Path
) -> None:
    from dbrefresh.catalog import read_catalog

    schema = SCHEMA.replace(" STORED UNIQUE", " STORED") + (
        "CREATE UNIQUE INDEX users_lc_upper ON users (upper(email_lc));"
        "CREATE TABLE plain (id int PRIMARY KEY, a text, b text GENERATED ALWAYS AS (a) STORED);"
    )
    dsn, _ = db_with_rules(make_db, tmp_path, schema, RULES.format(rule="email"), "u.yaml")
    with psycopg.connect(dsn) as conn:
        catalog = read_catalog(conn)
    users = catalog.tables["public.users"]
    [key] = [k for k in users.unique_keys if k.name == "users_lc_upper"]
    assert key.columns == ("email_lc", "email") and key.read_through == key.columns
    assert users.uniqueness_of("email") == (
        "read by unique key users_lc_upper (through generated column email_lc)"
    )
    assert catalog.tables["public.plain"].columns["b"].reads == ("a",)
    assert "a" not in catalog.tables["public.plain"].unique_columns()
