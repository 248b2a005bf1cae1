"""`rules init` against CHECK constraints: a column whose proposed masked values break a
validated CHECK (the table's, or its domain's) gets a strategy that keeps to it, or
`keep` with a REVIEW note naming it; never a file the nightly anonymize refuses."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo

from tests.anonymize.helpers import run_cli

from .helpers import comment_of, generate_and_compile, rule_of, strategy_of

PEOPLE = r"""
CREATE DOMAIN zip5 AS text CHECK (VALUE ~ '^[0-9]{5}$');
CREATE TABLE people (id int PRIMARY KEY,
  email text UNIQUE CHECK (email LIKE '%@acme.com'),
  phone text CHECK (phone ~ '^\+49[0-9]{9}$'),
  name text CHECK (char_length(name) <= 12),
  postcode zip5,
  notes text,
  birth_date date CHECK (birth_date <= DATE '2024-06-30'));
INSERT INTO people SELECT i,
  (ARRAY['anna', 'jon', 'maria', 'li'])[1 + i % 4] || '.' || i || '@acme.com',
  '+49' || lpad((i * 7919)::text, 9, '0'),
  (ARRAY['Anna Berg', 'Jon Li', 'Maria Dahl', 'Li Wu'])[1 + i % 4],
  lpad((i * 37)::text, 5, '0'), 'n' || i, DATE '2024-06-30' - i * 20
  FROM generate_series(1, 400) i;
-- no constraint reads its masked column: proposed as before, at the cost of one query
CREATE TABLE contacts (id int PRIMARY KEY CHECK (id > 0), email text);
INSERT INTO contacts SELECT i, 'c' || i || '@mail.example' FROM generate_series(1, 50) i;
"""


def _init_then_anonymize(
    dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, int, str]:
    """rules init through the CLI, then anonymize with its file: the text, exit, stderr."""
    out = tmp_path / "rules.yaml"
    result = run_cli(capsys, "rules", "init", "--dsn", dsn, "-o", str(out))
    assert result.code == 0, result.err
    with psycopg.connect(dsn) as conn:  # nothing of the test is left behind
        assert conn.execute("SELECT to_regnamespace('dbrefresh')").fetchone() == (None,)
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    masked = run_cli(capsys, "anonymize", str(out), "--dsn", dsn, "--seed", "nightly")
    return out.read_text(), masked.code, masked.err


def test_constrained_columns_get_a_strategy_that_keeps_to_the_check(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(PEOPLE)
    text, code, err = _init_then_anonymize(dsn, tmp_path, capsys)
    assert code == 0, err
    # the CHECK reads the domain: kept (rules/org_domains.py), so the check holds
    assert rule_of(text, "public.people", "email") == {
        "strategy": "email",
        "keep_domains": ["acme.com"],
        "unique": True,
    }
    assert "an expression on public.people reads the domain of email" in comment_of(
        text, "public.people", "email"
    )
    phone = rule_of(text, "public.people", "phone")
    # phone keeps the calling code '+49' itself (strategies/digits.py): no keep_prefix needed
    assert phone == "phone" or (phone["strategy"] == "phone" and phone["keep_prefix"] >= 3)
    assert strategy_of(text, "public.people", "name") != "full_name"
    assert "people_name_check" in comment_of(text, "public.people", "name")
    assert strategy_of(text, "public.people", "postcode") == "digits"
    # date_shift moves recent birth dates past the bound; truncated, none passes it
    assert rule_of(text, "public.people", "birth_date") == {
        "strategy": "generalize",
        "truncate": "year",
    }
    # a table no constraint bears on is proposed as always
    assert strategy_of(text, "public.contacts", "email") == "email"
    with psycopg.connect(dsn) as conn:
        assert conn.execute(
            "SELECT count(*) FROM people WHERE email ~ '^(anna|jon|maria|li)\\.[0-9]+@'"
            " OR name IN ('Anna Berg', 'Jon Li', 'Maria Dahl', 'Li Wu')"
        ).fetchone() == (0,)


def test_a_check_no_strategy_keeps_to_is_kept_with_a_review_note(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The login's email must start with the login: no strategy masks one column so,
    so the email is kept and the note names the constraint; anonymize still passes."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE logins (id int PRIMARY KEY, login text NOT NULL, email text,"
            " CONSTRAINT email_is_login CHECK (email LIKE login || '@%'));"
            "INSERT INTO logins SELECT i, 'user' || i, 'user' || i || '@corp.example'"
            " FROM generate_series(1, 200) i;"
        )
    text, code, err = _init_then_anonymize(dsn, tmp_path, capsys)
    assert code == 0, err
    assert strategy_of(text, "public.logins", "email") == "keep"
    note = comment_of(text, "public.logins", "email")
    assert 'REVIEW: email masks values that break check constraint "email_is_login"' in note
    assert "CHECK ((email ~~ (login || '@%'::text)))" in note


def test_the_generated_file_compiles_and_tables_without_checks_pay_nothing(
    make_db, tmp_path: Path
) -> None:
    from dbrefresh.catalog import read_catalog
    from dbrefresh.rules.init import propose
    from dbrefresh.rules.initcheck import constrained

    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(PEOPLE)
    _, plan = generate_and_compile(dsn, tmp_path)
    assert {s.relation for s in plan.steps} == {"public.people", "public.contacts"}
    with psycopg.connect(dsn) as conn:
        catalog = read_catalog(conn)
        proposals, _ = propose(conn, catalog, 100)
        assert constrained(conn, catalog, proposals) == {"public.people"}


@pytest.fixture
def reader_role(admin_dsn: str) -> Iterator[str]:
    """A login role that may read, not create (asked before make_db: dropped after it)."""
    name = f"reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
    yield name
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP ROLE {name}")


def test_a_role_that_cannot_install_the_test_gets_review_notes(
    reader_role: str, make_db, tmp_path: Path
) -> None:
    """Testing needs the masking functions, installed in a transaction rolled back; a
    role that may not create them gets the proposals untested, each masked column of a
    constrained table saying so (the preflight still refuses a misfit, changing
    nothing)."""
    from dbrefresh.rules.init import generate_rules

    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(PEOPLE)
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader_role}")
    with psycopg.connect(conninfo.make_conninfo(dsn, user=reader_role)) as conn:
        text = generate_rules(conn)
    assert strategy_of(text, "public.people", "email") == "email"
    note = comment_of(text, "public.people", "email")
    assert 'REVIEW: not tested against CHECK constraint(s) "people_email_check"' in note
    assert "permission denied" in note
    assert "not tested" not in comment_of(text, "public.contacts", "email")
    assert "not tested" not in comment_of(text, "public.people", "notes")


def test_the_other_side_of_a_foreign_key_follows_the_strategy_that_fits(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The compiler refuses two sides of a key masked differently: a strategy changed
    for a CHECK is the referencing column's too, so both stay masked and still join."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE customers (email text PRIMARY KEY CHECK (email LIKE '%@acme.com'));"
            "CREATE TABLE orders (id int PRIMARY KEY, customer_email text REFERENCES customers);"
            "INSERT INTO customers SELECT 'u' || i || '@acme.com' FROM generate_series(1, 100) i;"
            "INSERT INTO orders SELECT i, 'u' || (1 + i % 100) || '@acme.com'"
            " FROM generate_series(1, 300) i;"
        )
    text, code, err = _init_then_anonymize(dsn, tmp_path, capsys)
    assert code == 0, err
    expected = {"strategy": "email", "keep_domains": ["acme.com"], "unique": True}
    assert rule_of(text, "public.customers", "email") == expected
    assert rule_of(text, "public.orders", "customer_email") == expected
    with psycopg.connect(dsn) as conn:
        assert conn.execute(
            "SELECT count(*), count(c.email),"
            " count(*) FILTER (WHERE o.customer_email ~ '^u[0-9]+@')"
            " FROM orders o LEFT JOIN customers c ON c.email = o.customer_email"
        ).fetchone() == (300, 300, 0)
