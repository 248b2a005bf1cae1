"""Tiny tables of first names: a lone one-word name needs three matching values
(test_rules_init_lone_titles.py: a dashboard 'Sales' is no surname), and a 2-row
family.spouse ('Jennifer', 'Michael') was kept, the names copied to staging. Every
sampled value a name (two different ones), or a column named for a relative (spouse,
partner, parent_first: kin_columns.py), suffices now; a lone title stays kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import kin_columns, pii_values

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE family (id int PRIMARY KEY, spouse text, partner text, parent text);
INSERT INTO family VALUES (1, 'Jennifer', 'Olivia', 'Home'), (2, 'Michael', NULL, NULL),
    (3, NULL, NULL, NULL);
CREATE TABLE dashboards (id int PRIMARY KEY, dashboard_title varchar(500));
INSERT INTO dashboards VALUES (1, 'Sales');
"""


def test_two_names_or_a_relative_s_name_are_masked(make_db, tmp_path: Path) -> None:
    assert pii_values.match_values(["Jennifer", "Michael"]) is not None  # Michael: a surname too
    assert pii_values.match_values(["Jennifer", "Jennifer"]) is None  # one word repeated
    assert pii_values.match_values(["Olivia"]) is None and pii_values.match_values(["Olivia"], True)
    assert kin_columns.names_a_person("parent_first") and kin_columns.names_a_person("wife")
    assert not kin_columns.names_a_person("parent") and not kin_columns.names_a_person("title")
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.family", "spouse") == "first_name", text
    assert strategy_of(text, "public.family", "partner") == "first_name", text
    assert rule_of(text, "public.family", "parent") == "keep", text
    assert rule_of(text, "public.dashboards", "dashboard_title") == "keep", text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT spouse, partner, parent FROM family ORDER BY id").fetchall()
        title = conn.execute("SELECT dashboard_title FROM dashboards").fetchone()
    assert rows[0][0] != "Jennifer" and rows[1][0] != "Michael" and rows[0][1] != "Olivia"
    assert rows[0][2] == "Home" and rows[2] == (None, None, None) and title == ("Sales",)
