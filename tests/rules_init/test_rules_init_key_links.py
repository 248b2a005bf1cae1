"""Columns linking to a masked key by value, however often each value repeats: the key's rule.

Frappe links documents by value, with no foreign key: "tabSales Invoice".customer holds
"tabCustomer".name, two invoices per customer. rules init hashed the name (a unique
key) but gave the link `full_name` by its values, and every invoice pointed at a
customer that did not exist; with one invoice per customer the copy was found. Copies
through several columns were aligned pair after pair and the last pair won.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

FIRST = (
    "ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David',"
    "'Elizabeth','William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah',"
    "'Charles','Karen']"
)
LAST = (
    "ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis',"
    "'Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas',"
    "'Taylor','Moore','Jackson','Martin']"
)
CUSTOMERS = f"""
CREATE TABLE "tabCustomer" (name varchar(140) PRIMARY KEY, customer_name varchar(140),
  customer_type varchar(140));
INSERT INTO "tabCustomer" SELECT f || ' ' || l, f || ' ' || l, 'Individual'
  FROM (SELECT ({FIRST})[1 + g % 20] AS f, ({LAST})[1 + g / 20] AS l
        FROM generate_series(0, 59) g) s;
"""
MANY_TO_ONE = (
    CUSTOMERS
    + """
CREATE TABLE "tabSales Invoice" (name varchar(140) PRIMARY KEY, customer varchar(140),
  customer_name text, grand_total numeric(21,9));
INSERT INTO "tabSales Invoice" SELECT
  'ACC-SINV-2024-' || lpad((row_number() OVER (ORDER BY c.name, k))::text, 5, '0'),
  c.name, c.name, 100 + k FROM "tabCustomer" c CROSS JOIN generate_series(0, 1) k;
"""
)


def _bare(rule: Any) -> dict[str, Any]:
    """A rule's strategy and parameters, without the `unique` check a key's rule asks
    for (it changes no output)."""
    found = {"strategy": rule} if isinstance(rule, str) else dict(rule)
    found.pop("unique", None)
    return found


def _orphans(conn: psycopg.Connection, table: str, column: str) -> int:
    row = conn.execute(
        f'SELECT count(*) FROM "{table}" s WHERE s.{column} IS NOT NULL AND NOT EXISTS '
        f'(SELECT 1 FROM "tabCustomer" c WHERE c.name = s.{column})'
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_link_repeating_its_values_is_masked_like_the_key(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MANY_TO_ONE)
    key = rule_of(text, "public.tabCustomer", "name")
    assert key == {"strategy": "hash", "unique": True}, text
    for column in ("customer", "customer_name"):
        assert _bare(rule_of(text, "public.tabSales Invoice", column)) == {"strategy": "hash"}
    assert "links by value to public.tabCustomer.name" in comment_of(
        text, "public.tabSales Invoice", "customer"
    )
    assert rule_of(text, "public.tabSales Invoice", "name") == "keep", text
    assert rule_of(text, "public.tabCustomer", "customer_type") == "keep", text
    with psycopg.connect(dsn) as conn:
        assert _orphans(conn, "tabSales Invoice", "customer") == 0
        row = conn.execute(
            """SELECT count(*), count(*) FILTER (WHERE s.customer ~ '(Smith|Johnson|Brown)'),
                 count(*) FILTER (WHERE s.customer_name = s.customer),
                 count(DISTINCT s.customer),
                 count(*) FILTER (WHERE s.name LIKE 'ACC-SINV-2024-%')
               FROM "tabSales Invoice" s"""
        ).fetchone()
        assert row == (120, 0, 120, 60, 120), row  # masked, still joined, names kept


CHAIN = (
    CUSTOMERS
    + """
CREATE TABLE "tabSales Invoice" (name varchar(140) PRIMARY KEY, customer varchar(140),
  grand_total numeric(21,9));
INSERT INTO "tabSales Invoice" SELECT 'SINV-' || g, (SELECT name FROM "tabCustomer"
  ORDER BY name OFFSET g % 60 LIMIT 1), g FROM generate_series(0, 119) g;
CREATE TABLE "tabComment" (name varchar(140) PRIMARY KEY, reference_doctype varchar(140),
  reference_name varchar(140), content text);
INSERT INTO "tabComment" SELECT 'cm' || g, 'Customer', (SELECT name FROM "tabCustomer"
  ORDER BY name OFFSET g % 60 LIMIT 1), 'Called back' FROM generate_series(0, 179) g;
CREATE TABLE "tabToDo" (name varchar(140) PRIMARY KEY, reference_type varchar(140),
  reference_name varchar(140), status varchar(140));
INSERT INTO "tabToDo" SELECT 'td' || g, 'Customer', (SELECT name FROM "tabCustomer"
  ORDER BY name OFFSET g LIMIT 1), (ARRAY['Open','Closed'])[1 + g % 2]
  FROM generate_series(0, 59) g;
"""
)


def test_a_chain_of_links_gets_the_key_rule_once(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, CHAIN)
    key = rule_of(text, "public.tabCustomer", "name")
    links = [
        ("public.tabCustomer", "customer_name"),
        ("public.tabSales Invoice", "customer"),
        ("public.tabComment", "reference_name"),
        ("public.tabToDo", "reference_name"),
    ]
    assert [_bare(rule_of(text, t, c)) for t, c in links] == [_bare(key)] * 4, text
    for table, column in links:
        note = comment_of(text, table, column)
        # (the ToDo's, one per customer, was found by same_ids.py: its rule stays)
        assert table == "public.tabToDo" or "tabCustomer.name's group of 5" in note, note
        assert "masked like it (full_name" not in note, note  # no pairwise contradiction
    for table, column in (("public.tabToDo", "status"), ("public.tabComment", "content")):
        assert rule_of(text, table, column) == "keep", text
    with psycopg.connect(dsn) as conn:
        for table in ("tabSales Invoice", "tabComment", "tabToDo"):
            column = "customer" if table == "tabSales Invoice" else "reference_name"
            assert _orphans(conn, table, column) == 0, table
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE name <> customer_name),
                 count(*) FILTER (WHERE name ~ '(Smith|Johnson)') FROM "tabCustomer" """
        ).fetchone()
        assert row == (0, 0), row


OFFICES = "ARRAY['london','paris','berlin','madrid','dublin','vienna']"
LABELS = f"""
CREATE TABLE users (id int PRIMARY KEY, login text UNIQUE NOT NULL);
INSERT INTO users SELECT g, CASE WHEN g <= 6 THEN ({OFFICES})[g] ELSE 'jdoe' || g END
  FROM generate_series(1, 200) g;
CREATE TABLE tickets (id int PRIMARY KEY, user_login text NOT NULL, city text NOT NULL);
INSERT INTO tickets SELECT g, (SELECT login FROM users WHERE id = 7 + g % 150),
  ({OFFICES})[1 + g % 6] FROM generate_series(1, 300) g;
"""


def test_labels_shared_with_a_key_are_no_link(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, LABELS)
    login = rule_of(text, "public.users", "login")
    assert _bare(login) == {"strategy": "hash", "prefix": "u"}, text
    assert _bare(rule_of(text, "public.tickets", "user_login")) == _bare(login), text
    # six cities repeated over 300 tickets, each also the login of an office's shared
    # account: labels, masked by their own rule, in no group
    assert rule_of(text, "public.tickets", "city") == "city", text
    assert "links by value" not in comment_of(text, "public.tickets", "city"), text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE NOT EXISTS
                 (SELECT 1 FROM users u WHERE u.login = t.user_login)),
                 count(*) FILTER (WHERE t.user_login LIKE 'jdoe%'),
                 count(*) FILTER (WHERE t.city IN (SELECT login FROM users)) FROM tickets t"""
        ).fetchone()
        assert row == (0, 0, 0), row
