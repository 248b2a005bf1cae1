"""The sample is spread over the whole table, not its first rows.

Outline's `events` table is append-only: the first 1,200 rows (document edits) carry no
personal data, the later sign-ins carry the user's name and email in `data`. Sampled by
a bare LIMIT, rules init read the first 1,000 rows only, wrote `data: keep` and every
sign-in reached staging (verify saw no leak either: nothing was masked).
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

FIRST = "ARRAY['Anna', 'Peter', 'Maria', 'John', 'Laura', 'James', 'Linda', 'Robert', 'Susan']"
LAST = "ARRAY['Schmidt', 'Miller', 'Garcia', 'Smith', 'Jones', 'Brown', 'Davis', 'Wilson']"
# each sign-in's original name, from its row number g
NAME = f"({FIRST})[1 + g % 9] || ' ' || ({LAST})[1 + g % 8]"

SCHEMA = f"""
CREATE TABLE events (id serial PRIMARY KEY, name text NOT NULL, data jsonb);
INSERT INTO events(name, data)
SELECT 'documents.create', '{{"title": "Quarterly plan", "revision": 3}}'
FROM generate_series(1, 1200);
INSERT INTO events(name, data)
SELECT 'users.signin',
       jsonb_build_object('email', 'user' || g || '@gmail.com',
                          'name', {NAME})
FROM generate_series(1, 400) g;
ANALYZE events;
"""


def test_rows_appended_after_the_first_thousand_are_sampled(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.events", "data")
    assert isinstance(rule, dict) and rule["strategy"] == "jsonb", rule
    assert "email" in rule["paths"] and "name" in rule["paths"], rule
    with psycopg.connect(dsn) as conn:
        survivors = conn.execute(
            "SELECT count(*) FROM events, LATERAL (SELECT id - 1200 AS g) AS n"
            f" WHERE data->>'email' = 'user' || g || '@gmail.com' OR data->>'name' = {NAME}"
        ).fetchone()
        edits = conn.execute(
            'SELECT count(*) FROM events WHERE data = \'{"title": "Quarterly plan",'
            ' "revision": 3}\'::jsonb'
        ).fetchone()
    assert survivors == (0,)
    assert edits == (1200,)  # rows without the paths are left as they were
