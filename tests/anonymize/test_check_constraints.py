"""Masked values a validated CHECK constraint (a table's or a domain's) refuses: the
preflight names table, column, rule file:line, strategy and constraint with its
definition, for every constraint broken, exit 2, and nothing is changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.anonymize.helpers import db_with_rules, fingerprint, run_cli

SCHEMA = r"""
CREATE DOMAIN zip5 AS text CHECK (VALUE ~ '^[0-9]{5}$');
CREATE TABLE people (id int PRIMARY KEY,
  email text CHECK (email LIKE '%@acme.com'),
  phone text CHECK (phone ~ '^\+4930[0-9]{7}$'),
  name text CHECK (char_length(name) <= 12),
  postcode text CHECK (postcode ~ '^[0-9]{5}$'),
  zip zip5);
INSERT INTO people SELECT i, 'user' || i || '@acme.com', '+4930' || lpad(i::text, 7, '0'),
  'Nm' || i, lpad(i::text, 5, '0'), lpad((i * 7)::text, 5, '0')
  FROM generate_series(1, 300) i;
"""

RULES = """version: 1
tables:
  public.people:
    columns:
      id: keep
      email: email
      phone: phone
      name: full_name
      postcode: postcode
      zip: postcode
"""


def test_every_broken_check_is_named_with_its_rule_and_nothing_changes(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "people.yaml")
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    before = fingerprint(dsn)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and "nothing was changed" in result.err
    line = {
        c: RULES.splitlines().index(f"      {c}: {s}") + 1
        for c, s in [
            ("email", "email"),
            ("phone", "phone"),
            ("name", "full_name"),
            ("postcode", "postcode"),
            ("zip", "postcode"),
        ]
    }
    err = " ".join(result.err.split())  # the terminal may wrap it
    assert (
        f"public.people.email ({rules}:{line['email']}: email): 300 of 300 sampled rows "
        "break check constraint \"people_email_check\" (CHECK ((email ~~ '%@acme.com'::text)))"
    ) in err
    assert f"public.people.phone ({rules}:{line['phone']}: phone)" in err
    assert 'constraint "people_phone_check" (CHECK ((phone ~' in err
    assert f"public.people.name ({rules}:{line['name']}: full_name)" in err
    assert "(CHECK ((char_length(name) <= 12)))" in err
    assert f"public.people.postcode ({rules}:{line['postcode']}: postcode)" in err
    assert (
        f"public.people.zip ({rules}:{line['zip']}: postcode): masked values break check "
        "constraint \"zip5_check\" of domain zip5 (CHECK ((VALUE ~ '^[0-9]{5}$'::text)))"
    ) in err
    assert fingerprint(dsn) == before


def test_rules_that_keep_the_formats_pass_the_same_checks(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the error points at is enough to fix it: format-keeping rules pass."""
    fixed = (
        RULES.replace("email: email", "email: {strategy: email, domain: acme.com}")
        .replace("phone: phone", "phone: {strategy: phone, keep_prefix: 5}")
        .replace("name: full_name", "name: {strategy: partial, keep_first: 1}")
        .replace("postcode: postcode", "postcode: digits")
        .replace("zip: postcode", "zip: digits")
    )
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, fixed, "people.yaml")
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 0, result.err


def test_rules_check_finds_them_at_the_rule_and_writes_nothing(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules check --dsn` (a pull request's check) masks the same sample in a
    transaction rolled back: an error per column at its rule's line, nothing left."""
    import json

    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "people.yaml")
    before = fingerprint(dsn)
    result = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn, "--format", "json")
    assert result.code == 2, result.err
    findings = {
        f["location"]["key"]: f
        for f in json.loads(result.out)["findings"]
        if f["code"] == "check-constraint"
    }
    assert set(findings) == {
        f"public.people.{c}" for c in ("email", "phone", "name", "postcode", "zip")
    }
    email = findings["public.people.email"]
    assert email["location"]["line"] == RULES.splitlines().index("      email: email") + 1
    assert 'check constraint "people_email_check" (CHECK ((email' in email["message"]
    assert fingerprint(dsn) == before  # no dbrefresh schema either (__schemas__)
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(
        RULES.replace("email: email", "email: {strategy: email, domain: acme.com}")
        .replace("phone: phone", "phone: {strategy: phone, keep_prefix: 5}")
        .replace("name: full_name", "name: {strategy: partial, keep_first: 1}")
        .replace("postcode: postcode", "postcode: digits")
        .replace("zip: postcode", "zip: digits")
    )
    assert run_cli(capsys, "rules", "check", str(fixed), "--dsn", dsn).code == 0


def test_a_domain_under_a_domain_is_named_and_a_generated_column_is_no_false_alarm(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cast to zip5 checks digitsonly's constraint too: that one is named, at the
    rule. A check reading a generated column (computed from the masked row, left out of
    the sample) is not evaluated rather than reported broken."""
    dsn, rules = db_with_rules(
        make_db,
        tmp_path,
        "CREATE DOMAIN digitsonly AS text CHECK (VALUE ~ '^[0-9]+$');"
        "CREATE DOMAIN zip5 AS digitsonly CHECK (length(VALUE) = 5);"
        "CREATE TABLE a (id int PRIMARY KEY, zip zip5, name text,"
        " g text GENERATED ALWAYS AS (lower(name)) STORED, CHECK (g = lower(name)));"
        "INSERT INTO a SELECT i, lpad(i::text, 5, '0'), 'N' || i FROM generate_series(1, 100) i;",
        "version: 1\ntables:\n  public.a:\n    columns:\n      id: keep\n      zip: postcode\n"
        "      name: full_name\n      g: keep\n",
        "a.yaml",
    )
    result = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    assert result.code == 2
    err = " ".join(result.err.split())
    assert f"{rules}:6: public.a.zip: postcode: masked values break check constraint" in err
    assert '"digitsonly_check" of domain digitsonly' in err
    assert "public.a.name" not in err
