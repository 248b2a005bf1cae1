"""Malformed rules: each gives exit 2 naming file:line, and the database is unchanged."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from dbrefresh.anonymize.api import mark_clone
from dbrefresh.db import with_database
from tests.anonymize.helpers import CHINOOK_RULES, fingerprint, run_cli

BASE = CHINOOK_RULES.read_text()

# (case id, text to replace in rules/chinook.yaml, replacement, expected message fragment)
CASES: list[tuple[str, str, str, str]] = [
    (
        "yaml-unclosed-flow",
        "email: {strategy: email, unique: true}\n  public.invoice",
        "email: {strategy: email, unique: true\n  public.employee",
        "invalid YAML",
    ),
    (
        "yaml-bad-indent",
        "      customer_id: keep\n",
        "      customer_id: keep\n    first: x\n",
        "invalid YAML",
    ),
    (
        "yaml-duplicate-key",
        "      customer_id: keep\n",
        "      customer_id: keep\n      customer_id: keep\n",
        "duplicate key",
    ),
    ("version-2", "version: 1", "version: 2", "version"),
    ("unknown-top-key", "database: chinook", "database: chinook\ndatabse: chinook", "databse"),
    (
        "bad-unlisted-mode",
        "{unlisted_columns: fail,",
        "{unlisted_columns: maybe,",
        "unlisted_columns",
    ),
    ("tables-not-mapping", "  public.album: keep", "  - public.album", "invalid YAML"),
    (
        "unknown-default-locale",
        "{unlisted_columns: fail,",
        "{locale: de_AT, unlisted_columns: fail,",
        "defaults.locale: unknown locale 'de_AT'; known: en_US",
    ),
    (
        "unknown-strategy-locale",
        "      first_name: first_name\n",
        "      first_name: {strategy: first_name, locale: [de_DE, xx]}\n",
        "first_name.locale: unknown locale 'xx'",
    ),
    ("unknown-action", "  public.album: keep", "  public.album: wipe", "unknown table action"),
    (
        "rule-on-a-view",
        "  public.album: keep\n",
        "  public.album: keep\n  public.customer_emails: keep\n",
        "public.customer_emails: is a view; remove it from the rules",
    ),
    (
        "rule-on-a-materialized-view",
        "  public.album: keep\n",
        "  public.album: keep\n  public.genre_names:\n    columns: {name: lorem}\n",
        "public.genre_names: is a materialized view; remove it from the rules",
    ),
    (
        "unknown-strategy",
        "      first_name: first_name\n      last_name: last_name\n      company",
        "      first_name: frist_name\n      last_name: last_name\n      company",
        "unknown strategy 'frist_name'",
    ),
    (
        "unknown-param",
        "      email: {strategy: email, unique: true}\n  public.invoice",
        "      email: {strategy: email, unique: true, colour: red}\n  public.invoice",
        "colour",
    ),
    (
        "wrong-param-type",
        "birth_date: {strategy: date_shift, max_days: 180}",
        "birth_date: {strategy: date_shift, max_days: lots}",
        "max_days",
    ),
    ("unknown-table", "  public.album: keep", "  public.albums: keep", "did you mean"),
    (
        "unknown-column",
        "      company: company\n      address: street\n      city: city\n"
        "      state: keep            # region",
        "      company: company\n      adress: street\n      city: city\n"
        "      state: keep            # region",
        "adress: no such column",
    ),
    (
        "table-unknown-key",
        "  public.invoice:\n    columns:",
        "  public.invoice:\n    colums: {}\n    columns:",
        "colums",
    ),
    (
        "column-rule-without-strategy",
        "      title: keep\n",
        "      title: {unique: true}\n",
        "needs a `strategy`",
    ),
    (
        "unique-not-bool",
        "      email: {strategy: email, unique: true}\n  public.invoice",
        "      email: {strategy: email, unique: sure}\n  public.invoice",
        "unique",
    ),
    (
        "column-rule-list",
        "      title: keep\n",
        "      title: [keep]\n",
        "a column rule is a strategy name or a mapping",
    ),
    (
        "keep-reviewed-without-reason",
        "      title: keep\n",
        '      title: {strategy: keep, reviewed: ""}\n',
        "`reviewed` needs the reason this kept column identifies no one",
    ),
    (
        "sql-subquery",
        "      title: keep\n",
        '      title: {strategy: sql, expression: "(SELECT max(email) FROM customer)"}\n',
        "subqueries are not allowed",
    ),
    (
        "sql-ddl",
        "      title: keep\n",
        '      title: {strategy: sql, expression: "DROP TABLE customer"}\n',
        "statements are not allowed",
    ),
    (
        "sql-two-statements",
        "      title: keep\n",
        '      title: {strategy: sql, expression: "upper(title); DROP TABLE customer"}\n',
        "got 2 statements",
    ),
    (
        "sql-disallowed-function",
        "      title: keep\n",
        "      title: {strategy: sql, expression: \"pg_read_file('/etc/passwd')\"}\n",
        "pg_read_file() is not allowed",
    ),
    (
        "sql-unknown-column",
        "      title: keep\n",
        '      title: {strategy: sql, expression: "upper(salary)"}\n',
        "salary",
    ),
    (
        "injection-column-name",
        "      title: keep\n",
        "      'title\"; DROP TABLE customer; --': keep\n      title: keep\n",
        "no such column",
    ),
    (
        "injection-table-name",
        "  public.album: keep",
        "  'public.album\"; DROP TABLE album; --': keep\n  public.album: keep",
        "no such table",
    ),
    (
        "injection-sql-comment",
        "      title: keep\n",
        '      title: {strategy: sql, expression: "title) FROM customer; DROP TABLE x; --"}\n',
        "not valid SQL",
    ),
    (
        "lossy-on-unique",
        "      email: {strategy: email, unique: true}\n  public.invoice",
        "      email: {strategy: first_name, unique: true}\n  public.invoice",
        "unique",
    ),
    (
        "lossy-on-primary-key",
        "      customer_id: keep\n",
        "      customer_id: {strategy: noise, absolute: 5}\n",
        "but the column is unique",
    ),
    (
        "type-misfit",
        "      support_rep_id: keep\n  public.employee",
        "      support_rep_id: email\n  public.employee",
        "email cannot mask integer",
    ),
    (
        "null-on-not-null",
        "      first_name: first_name\n      last_name: last_name\n      company",
        '      first_name: "null"\n      last_name: last_name\n      company',
        "NOT NULL",
    ),
    (
        "delete-where-subquery",
        "  public.invoice:\n    columns:",
        '  public.invoice:\n    delete_where: "customer_id IN (SELECT 1)"\n    columns:',
        "subqueries and statements are not allowed",
    ),
    (
        "delete-where-two-statements",
        "  public.invoice:\n    columns:",
        '  public.invoice:\n    delete_where: "true; DROP TABLE invoice"\n    columns:',
        "single expression",
    ),
    (
        "delete-cascade-not-a-boolean",
        "  public.invoice:\n    columns:",
        '  public.invoice:\n    delete_where: "total > 10"\n    delete_cascade: "yes"\n'
        "    columns:",
        "delete_cascade must be true or false",
    ),
    (
        "delete-cascade-without-delete-where",
        "  public.invoice:\n    columns:",
        "  public.invoice:\n    delete_cascade: true\n    columns:",
        "needs a delete_where beside it",
    ),
    (
        "delete-where-unknown-column",
        "  public.invoice:\n    columns:",
        '  public.invoice:\n    delete_where: "created_at < now()"\n    columns:',
        "no such column 'created_at'",
    ),
    (
        "lossy-on-foreign-key",
        "      support_rep_id: keep\n  public.employee",
        "      support_rep_id: {strategy: noise, absolute: 3}\n  public.employee",
        "a foreign key to a unique key",
    ),
    ("truncate-breaks-fk", "  public.album: keep", "  public.album: truncate", "truncated"),
    (
        "unclassified-column",
        "      fax: phone\n      email: {strategy: email, unique: true}\n      support_rep_id",
        "      email: {strategy: email, unique: true}\n      support_rep_id",
        "public.customer.fax: column not classified",
    ),
    ("top-level-list", "version: 1\n", "- version: 1\n", "invalid YAML"),
    ("empty-file", BASE, "", "a rules file is a mapping"),
    (
        "template-unknown-placeholder",
        "      title: keep\n",
        '      title: {strategy: template, template: "{no_such_strategy}"}\n',
        "unknown strategy 'no_such_strategy'",
    ),
]


@pytest.fixture(scope="module")
def marked_chinook(admin_dsn: str, chinook_template: str) -> Callable[[], str]:

    import psycopg

    name = "chinook"  # what the rules' `database:` says
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{chinook_template}"')
    dsn = with_database(admin_dsn, name)
    with psycopg.connect(dsn, autocommit=True) as conn:  # what a rule must not name
        conn.execute(
            "CREATE VIEW customer_emails AS SELECT customer_id, email FROM customer;"
            "CREATE MATERIALIZED VIEW genre_names AS SELECT name FROM genre"
        )
    mark_clone(dsn)
    yield dsn
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


# Findings about what a table rule lacks point at the table rule itself.
POINTS_AT = {"unclassified-column": "  public.customer:\n"}


def _expected_line(text: str, replacement: str) -> int:
    index = text.find(replacement) if replacement else 0
    pairs = enumerate(zip(text, BASE, strict=False))
    first_changed = next((i for i, (a, b) in pairs if a != b), index)
    return text.count("\n", 0, max(first_changed, 0)) + 1


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("case", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_rules_exit_2_with_location_and_change_nothing(
    case: str,
    old: str,
    new: str,
    expected: str,
    marked_chinook: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert old in BASE, f"case {case} no longer applies to rules/chinook.yaml"
    text = BASE.replace(old, new, 1)
    rules = tmp_path / "chinook.yaml"
    rules.write_text(text)
    before = fingerprint(marked_chinook)
    result = run_cli(
        capsys, "anonymize", str(rules), "--dsn", marked_chinook, "--seed", "s", "--no-progress"
    )
    assert result.code == 2, result.out + result.err
    message = result.out + result.err
    assert expected in message
    assert "Traceback" not in message
    lines = [int(n) for n in re.findall(rf"{re.escape(str(rules))}:(\d+)", message)]
    assert lines, f"no {rules}:LINE in {message!r}"
    if case != "empty-file":
        anchor = POINTS_AT.get(case)
        want = text.count("\n", 0, text.index(anchor)) + 1 if anchor else _expected_line(text, new)
        assert any(abs(n - want) <= 1 for n in lines), (lines, want, message)
    assert fingerprint(marked_chinook) == before
