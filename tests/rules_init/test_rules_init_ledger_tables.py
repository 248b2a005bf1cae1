"""Tryton's and Odoo's accounting tables are named `account_*`: account_account.name
('Receivable', 'Revenue', the chart of accounts) got `full_name` for "`name` in a table
about people". A table whose only people word is `account` is a ledger's when it is
the chart or another word is bookkeeping's; a table of user accounts still is about
people, and so is a person's name in it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import pii

from .helpers import generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE account_account (id serial PRIMARY KEY, code varchar, name varchar NOT NULL);
INSERT INTO account_account (code, name) VALUES ('411000', 'Receivable'),
  ('401000', 'Payable'), ('707000', 'Revenue'), ('445710', 'VAT collected');
CREATE TABLE account_journal (id serial PRIMARY KEY, code varchar, name varchar NOT NULL);
INSERT INTO account_journal (code, name) VALUES ('REV', 'Revenue'), ('EXP', 'Expense'),
  ('CASH', 'Cash'), ('STO', 'Stock');
CREATE TABLE accounts (id serial PRIMARY KEY, name varchar);
INSERT INTO accounts (name) SELECT (ARRAY['Anna Schmidt', 'Pierre Dubois', 'John Miller',
  'Lena Vogel'])[1 + g % 4] || ' ' || g FROM generate_series(1, 40) g;
"""


@pytest.mark.parametrize(
    "table", ["account_account", "account_move_line", "account_journal", "account_tax"]
)
def test_bookkeeping_tables_are_not_about_people(table: str) -> None:
    assert not pii.about_people(table)


@pytest.mark.parametrize(
    "table", ["accounts", "user_accounts", "account_emailaddress", "customer_account", "account"]
)
def test_tables_of_peoples_accounts_still_are(table: str) -> None:
    assert pii.about_people(table)


def test_a_chart_of_accounts_keeps_its_names(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.account_account", "name") == "keep"
    assert strategy_of(text, "public.account_journal", "name") == "keep"
    assert strategy_of(text, "public.accounts", "name") == "full_name"
    with psycopg.connect(dsn) as conn:
        names = conn.execute("SELECT name FROM account_account ORDER BY id").fetchall()
        people = conn.execute("SELECT name FROM accounts ORDER BY id").fetchall()
    assert [n for (n,) in names] == ["Receivable", "Payable", "Revenue", "VAT collected"]
    assert not any(n.startswith(("Anna Schmidt", "Pierre Dubois")) for (n,) in people)
