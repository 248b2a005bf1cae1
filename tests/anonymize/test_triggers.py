"""Triggers enabled ALWAYS or REPLICA fire even in the replica mode masking writes in:
they are set aside while masking writes, and staging gets them as production had them."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, build_plan, mark_clone
from dbrefresh.catalog import Catalog, Table
from dbrefresh.errors import MaskingRefused
from dbrefresh.rules.triggers import set_aside
from tests.anonymize.helpers import (
    ACCOUNTS_LOGINS_RULES,
    db_with_rules,
    fingerprint,
    mask_and_verify,
)

SCHEMA = """
CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL UNIQUE, updated_at timestamptz);
INSERT INTO people SELECT i, format('p%s@corp.example', i), '2020-01-01'
  FROM generate_series(1, 300) i;
CREATE TABLE audit (id serial PRIMARY KEY, tbl text, row_data jsonb);
INSERT INTO audit (tbl, row_data) VALUES ('people', '{"email": "p1@corp.example"}');
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit (tbl, row_data) VALUES (TG_TABLE_NAME, to_jsonb(NEW)); RETURN NEW; END $$;
CREATE TRIGGER people_audit AFTER INSERT OR UPDATE ON people
  FOR EACH ROW EXECUTE FUNCTION audit_row();
ALTER TABLE people ENABLE ALWAYS TRIGGER people_audit;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER people_touch BEFORE INSERT OR UPDATE ON people
  FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE people ENABLE REPLICA TRIGGER people_touch;
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit is append-only'; END $$;
CREATE TRIGGER audit_guard BEFORE TRUNCATE ON audit EXECUTE FUNCTION append_only();
ALTER TABLE audit ENABLE ALWAYS TRIGGER audit_guard;
"""
RULES = """version: 1
tables:
  public.people:
    columns:
      id: keep
      email: {strategy: email, unique: true}
      updated_at: keep
  public.audit: truncate
"""
TRIGGER_STATES = (
    "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
    "WHERE NOT tgisinternal ORDER BY 1, 2"
)


def test_triggers_that_fire_in_replica_mode_are_set_aside(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "triggers.yaml")
    with psycopg.connect(dsn) as conn:
        before = conn.execute(TRIGGER_STATES).fetchall()
    assert [state for *_, state in before] == ["A", "A", "R"]
    plan_sql = build_plan(dsn, [rules]).to_sql()
    assert 'ALTER TABLE "public"."audit" DISABLE TRIGGER "audit_guard"' in plan_sql

    report = mask_and_verify(dsn, rules)
    assert report.findings == []  # the audit table is empty, as the rules say
    with psycopg.connect(dsn) as conn:
        audit, stamped, originals = conn.execute(
            "SELECT (SELECT count(*) FROM audit),"
            " (SELECT count(*) FROM people WHERE updated_at <> '2020-01-01'),"
            " (SELECT count(*) FROM people WHERE email LIKE '%@corp.example')"
        ).fetchone()
        after = conn.execute(TRIGGER_STATES).fetchall()
    assert (audit, stamped, originals) == (0, 0, 0)
    assert after == before


REWRITE_RULES = """
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE audit (email text);
INSERT INTO users SELECT i, format('u%s@corp.example', i) FROM generate_series(1, 300) i;
INSERT INTO audit VALUES ('u1@corp.example');
CREATE RULE users_audit AS ON INSERT TO users DO ALSO INSERT INTO audit VALUES (NEW.email);
ALTER TABLE users ENABLE ALWAYS RULE users_audit;
CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);
INSERT INTO notes SELECT i, format('call u%s@corp.example', i) FROM generate_series(1, 50) i;
CREATE RULE notes_frozen AS ON INSERT TO notes DO INSTEAD NOTHING;
ALTER TABLE notes ENABLE REPLICA RULE notes_frozen;
"""
REWRITE_RULES_RULES = """version: 1
tables:
  public.users:
    columns: {id: keep, email: {strategy: email, unique: true}}
  public.audit: truncate
  public.notes:
    columns: {id: keep, body: lorem}
"""
RULE_STATES = (
    "SELECT ev_class::regclass::text, rulename, ev_enabled FROM pg_rewrite "
    "WHERE rulename <> '_RETURN' AND ev_enabled <> 'O' ORDER BY 1, 2"
)


def test_rewrite_rules_that_fire_in_replica_mode_are_set_aside(make_db, tmp_path: Path) -> None:
    """An INSERT rule enabled ALWAYS copied every refilled row into the table the rules
    truncate; one DO INSTEAD NOTHING enabled REPLICA swallowed the refill."""
    dsn, rules = db_with_rules(
        make_db, tmp_path, REWRITE_RULES, REWRITE_RULES_RULES, "rewrite.yaml"
    )
    with psycopg.connect(dsn) as conn:
        before = conn.execute(RULE_STATES).fetchall()
    assert before == [("notes", "notes_frozen", "R"), ("users", "users_audit", "A")]
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM audit),"
            " (SELECT count(*) FROM notes),"
            " (SELECT count(*) FROM notes WHERE body LIKE '%@corp.example')"
        ).fetchone()
        assert conn.execute(RULE_STATES).fetchall() == before
    assert counts == (300, 0, 50, 0)


COLLATED = """
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
CREATE TABLE accounts (email text COLLATE ci PRIMARY KEY);
CREATE TABLE logins (id int PRIMARY KEY, email text COLLATE ci REFERENCES accounts (email));
INSERT INTO accounts VALUES ('Straße@x.example');
INSERT INTO logins VALUES (1, 'strasse@x.example');
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER logins_noop BEFORE INSERT ON logins FOR EACH ROW EXECUTE FUNCTION noop();
ALTER TABLE logins ENABLE ALWAYS TRIGGER logins_noop;
"""


def test_a_swap_that_fails_leaves_the_triggers_enabled(make_db, tmp_path: Path) -> None:
    """Two spellings equal under an ICU collation of strength primary ('ß' = 'ss': case
    and accents are folded, ICU's expansions are not) mask apart: the swap is refused,
    and the trigger it had disabled is enabled again by the rollback."""
    dsn, rules = db_with_rules(make_db, tmp_path, COLLATED, ACCOUNTS_LOGINS_RULES, "ci.yaml")
    mark_clone(dsn)
    before = fingerprint(dsn)
    with psycopg.connect(dsn) as conn:
        states = conn.execute(TRIGGER_STATES).fetchall()
    with pytest.raises(MaskingRefused, match="logins_email_fkey"):
        anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(dsn) == before
    with psycopg.connect(dsn) as conn:
        assert conn.execute(TRIGGER_STATES).fetchall() == states == [("logins", "logins_noop", "A")]


def test_names_holding_a_percent_sign_are_written_as_they_are() -> None:
    catalog = Catalog("db", 150000)
    catalog.tables["public.t%s"] = Table(
        1, "public", "t%s", "r", None, 0, 0, replica_triggers=(("audit%d", "R"),)
    )
    assert set_aside(catalog, ["public.t%s"]) == (
        ['ALTER TABLE "public"."t%s" DISABLE TRIGGER "audit%d"'],
        ['ALTER TABLE "public"."t%s" ENABLE REPLICA TRIGGER "audit%d"'],
    )
