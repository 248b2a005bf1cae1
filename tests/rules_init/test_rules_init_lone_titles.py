"""One short title is no surname: one-word name kinds need a few values.

A small Superset install has one dashboard: 'Sales', slug 'sales'. The title, 1 of 1
sampled values a last name, got `last_name`, and the slug `hash` (unique): every
dashboard link broke. A one-word first or last name now needs MIN_WORD_NAMES matching
values; a column of names (by name or by many values) is masked as before.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import pii_values

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE dashboards (id int PRIMARY KEY, dashboard_title varchar(500),
    slug varchar(255) UNIQUE, published bool);
INSERT INTO dashboards VALUES (1, 'Sales', 'sales', true);
CREATE TABLE contacts (id int PRIMARY KEY, c_a1b2 text);
INSERT INTO contacts SELECT i, (ARRAY['Smith','Johnson','Williams','Brown','Garcia',
    'Miller','Davis','Wilson','Moore','Taylor','Anderson','Thomas'])[i]
  FROM generate_series(1, 12) i;
"""


def test_a_lone_title_and_slug_are_kept(make_db, tmp_path: Path) -> None:
    assert pii_values.match_values(["Sales"]) is None
    assert pii_values.match_values(["Sales", "Miller", "Garcia"]) is not None
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.dashboards", "dashboard_title") == "keep", text
    assert rule_of(text, "public.dashboards", "slug") == "keep", text
    assert strategy_of(text, "public.contacts", "c_a1b2") == "last_name", text
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT dashboard_title, slug FROM dashboards").fetchall() == [
            ("Sales", "sales")
        ]
        kept = conn.execute("SELECT count(*) FROM contacts WHERE c_a1b2 = 'Williams'").fetchone()
    assert kept == (0,)
