"""verify refuses rules other than those the clone was masked with, and shows a masked
column whose leak check sampled nothing (its values kept whole)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import db_with_rules, run_cli

SCHEMA = """
CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, phone text);
INSERT INTO people SELECT i, format('p%s@corp.example', i), format('+44 20 7946 %s', 1000 + i)
FROM generate_series(1, 200) i;
"""


def _rules(email: str, phone: str = "phone") -> str:
    return f"""version: 1
tables:
  public.people:
    columns: {{id: keep, email: {email}, phone: {phone}}}
"""


def test_verify_refuses_rules_the_clone_was_not_masked_with(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Masked with `email: keep`, verified with `email: email`: verify sampled nothing,
    found no survivor and passed, every email still there."""
    dsn, kept = db_with_rules(make_db, tmp_path, SCHEMA, _rules("keep"), "kept.yaml")
    masked = tmp_path / "masked.yaml"
    masked.write_text(_rules("email"))
    mark_clone(dsn)
    anonymize(dsn, [kept], seed="s", progress=False)

    for fmt in ("text", "json"):
        other = run_cli(capsys, "verify", str(masked), "--dsn", dsn, "--seed", "s", "--format", fmt)
        assert other.code == 2, other.out + other.err
        assert "public.people (rules " in other.err and "other rules" in other.err
        assert "Traceback" not in other.err

    same = run_cli(capsys, "verify", str(kept), "--dsn", dsn, "--seed", "s")
    assert same.code == 0, same.out + same.err


def test_a_masked_column_with_nothing_sampled_is_a_warning(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A keep_prefix as long as the values keeps every phone whole: nothing sampled,
    "0 survivors", and verify passed without a word."""
    whole = "{strategy: phone, keep_prefix: 30}"
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, _rules("email", whole), "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        kept = conn.execute("SELECT count(*) FROM people WHERE phone LIKE '+44 20 7946 1%'")
        assert kept.fetchone() == (200,)  # the strategy kept them whole

    text = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    assert text.code == 0, text.out + text.err
    # at the column's rule (file:line), then the column
    assert f"warning: {rules}:" in text.out
    assert "public.people.phone: masked, but anonymize sampled none" in text.out
    assert "public.people.email" not in text.out.split("warning:", 1)[1]

    out = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert out.code == 0, out.out + out.err
    report = json.loads(out.out)
    assert report["sampled"]["public.people.phone"] == 0
    assert report["sampled"]["public.people.email"] == 200
    assert [(w["code"], w["location"]["key"]) for w in report["warnings"]] == [
        ("nothing-sampled", "public.people.phone")
    ]
    assert report["warnings"][0]["severity"] == "warning"


def test_placeholders_kept_on_purpose_are_no_warning(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hash` keeps a mask placeholder of asterisks ('****'), as it keeps blanks: a
    column of nothing else sampled nothing, and verify told the user to check the rule's
    parameters, which were right. A JSON string of asterisks is one too."""
    schema = """
    CREATE TABLE accounts (id int PRIMARY KEY, password text, settings jsonb, pin text);
    INSERT INTO accounts SELECT i, CASE WHEN i % 3 = 0 THEN '' ELSE repeat('*', 4 + i % 5) END,
      '"********"', format('+44 %s', i) FROM generate_series(1, 60) i;
    """
    rules = """version: 1
tables:
  public.accounts:
    columns: {id: keep, password: hash, settings: hash, pin: {strategy: phone, keep_prefix: 30}}
"""
    dsn, path = db_with_rules(make_db, tmp_path, schema, rules, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [path], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        kept = conn.execute("SELECT count(*) FROM accounts WHERE password ~ '^[*]+$'")
        assert kept.fetchone() == (40,)  # the placeholders are still there, as hash keeps them

    out = run_cli(capsys, "verify", str(path), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert out.code == 0, out.out + out.err
    report = json.loads(out.out)
    assert report["sampled"]["public.accounts.password"] == 0
    # the phone kept whole still warns; the placeholders do not
    assert [w["location"]["key"] for w in report["warnings"]] == ["public.accounts.pin"]
    text = run_cli(capsys, "verify", str(path), "--dsn", dsn, "--seed", "s")
    warnings = text.out.split("warning:", 1)[1]
    assert "public.accounts.pin" in warnings
    assert "public.accounts.password" not in warnings
    assert "public.accounts.settings" not in warnings
