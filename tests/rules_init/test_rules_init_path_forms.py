"""A JSON path of addresses, ids and bare domains: `forms`, the ids and domains kept.

PostHog's feature flag `filters` holds `groups.*.properties.*.value`: a list of
addresses for an `exact` filter, '@gmail.com' for `icontains`, a cohort's id 8. The
path got `email`, so the cohort id became an address string and '@gmail.com' a full
address: the flag matched no one. A path of addresses alone keeps plain `email`. (The
filters are read by their key since json_selectors.py: `properties.[key=email].value`.)
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE featureflag (id int PRIMARY KEY, key text NOT NULL, filters jsonb NOT NULL,
  contacts jsonb);
INSERT INTO featureflag
SELECT i, 'flag-' || i, format('{"groups": [
    {"properties": [{"key": "email", "type": "person", "operator": "exact",
       "value": ["ann%1$s@orig-mail.example.org", "bo%1$s@orig-mail.example.org"]}]},
    {"properties": [{"key": "email", "type": "person", "operator": "icontains",
       "value": "@corp%2$s.example.org"}], "rollout_percentage": 50},
    {"properties": [{"key": "id", "type": "cohort", "value": %3$s}]}]}',
    i, i % 7, i % 300 + 1)::jsonb,
  format('{"people": [{"email": "cy%s@orig-mail.example.org"}]}', i)::jsonb
  FROM generate_series(1, 80) i;
"""


def test_ids_and_domains_beside_addresses_are_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    paths = rule_of(text, "public.featureflag", "filters")["paths"]
    # the filters are told apart by their key: the cohort's id has no path (kept)
    assert set(paths) == {"groups.*.properties.[key=email].value"}, text
    rule = paths["groups.*.properties.[key=email].value"]
    assert isinstance(rule, dict) and rule["strategy"] == "forms", text
    assert rule.get("default", "keep") == "keep"
    # a path of addresses alone: plain email
    contacts = rule_of(text, "public.featureflag", "contacts")["paths"]["people.*.email"]
    assert (contacts if isinstance(contacts, str) else contacts["strategy"]) == "email"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, filters FROM featureflag ORDER BY id").fetchall()
    for row_id, filters in rows:
        exact, contains, cohort = (g["properties"][0]["value"] for g in filters["groups"])
        assert cohort == row_id % 300 + 1  # still a number, the same id
        assert contains == f"@corp{row_id % 7}.example.org"
        assert len(exact) == 2 and all("@" in v and "orig-mail" not in v for v in exact)
        assert "orig-mail" not in str(filters)
