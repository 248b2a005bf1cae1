"""A JSON path copying a column masked by `forms` gets the same `forms` rule.

Superset's ab_user.username holds usernames and, for people who log in by address,
addresses: `forms` (addresses by `email`, the rest by `hash`). logs.json's
`impersonator` copies it, but kept the `hash` the column had when json_copies.py
copied its rule (the `unique: true` of the column's rule told the two apart): every
address there was hashed, and half the log lines no longer joined their user.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

FIRST = "ARRAY['anna','peter','lisa','jonas','marie','felix','clara','paul']"
LAST = "ARRAY['schmidt','meyer','wagner','becker','fischer','weber','hoffmann','koch']"
SCHEMA = f"""
CREATE TABLE ab_user (id int PRIMARY KEY, username varchar(100) UNIQUE NOT NULL,
    email varchar(320) UNIQUE NOT NULL);
INSERT INTO ab_user SELECT g, CASE WHEN g % 2 = 0 THEN n || '@orig-acme.io' ELSE n END,
    n || '@orig-acme.io'
  FROM (SELECT g, ({FIRST})[1 + g % 8] || '.' || ({LAST})[1 + (g / 8) % 8] || g AS n
        FROM generate_series(1, 40) g) s;
CREATE TABLE logs (id serial PRIMARY KEY, action varchar(512), user_id int, json text);
INSERT INTO logs (action, user_id, json) SELECT 'ChartRestApi.data', u.id,
    json_build_object('path', '/api/v1/chart/data', 'impersonator', u.username)::text
  FROM ab_user u, generate_series(1, 3);
"""


def test_a_path_copy_of_a_forms_column_joins_it_after_masking(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    username = rule_of(text, "public.ab_user", "username")
    assert username["strategy"] == "forms", text
    path = rule_of(text, "public.logs", "json")["paths"]["impersonator"]
    assert path["strategy"] == "forms", text
    assert path["cases"] == username["cases"] and path["default"] == username["default"]
    with psycopg.connect(dsn) as conn:
        joined, addresses, originals = conn.execute(
            """SELECT count(*) FILTER (WHERE u.username = l.json::jsonb->>'impersonator'),
                count(*) FILTER (WHERE l.json::jsonb->>'impersonator' LIKE '%@%'),
                count(*) FILTER (WHERE l.json LIKE '%orig-acme%' OR l.json ~ 'schmidt|meyer')
            FROM logs l JOIN ab_user u ON u.id = l.user_id"""
        ).fetchone()
        path_text = conn.execute("SELECT json::jsonb->>'path' FROM logs LIMIT 1").fetchone()
    assert (joined, addresses, originals) == (120, 60, 0)
    assert path_text == ("/api/v1/chart/data",)
