"""Deep JSON documents: `rules init` reads paths ten levels down, and says where it stops.

PostHog's activity log keeps a feature flag's filters under `changes.*.after`: the
addresses sit at `changes.0.after.filters.groups.0.properties.0.value.0`, ten levels
down. The walk stopped at eight, so only `name` was masked and the addresses reached
staging, without a note.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE activitylog (id int PRIMARY KEY, scope text NOT NULL, detail jsonb);
INSERT INTO activitylog
SELECT i, 'FeatureFlag', jsonb_build_object(
           'name', 'billing-v2', 'type', NULL,
           'changes', jsonb_build_array(jsonb_build_object(
               'type', 'FeatureFlag', 'field', 'filters', 'action', 'changed',
               'after', jsonb_build_object('filters', jsonb_build_object(
                   'groups', jsonb_build_array(jsonb_build_object(
                       'properties', jsonb_build_array(jsonb_build_object(
                           'key', 'email', 'type', 'person',
                           'value', jsonb_build_array(format('ann%s@orig-mail.example.org', i))
                       )))))))))
  FROM generate_series(1, 60) i;
CREATE TABLE deep (id int PRIMARY KEY, doc jsonb);
INSERT INTO deep
SELECT i, (repeat('{"k": ', 18) || to_json(format('bo%s@orig-mail.example.org', i))::text
           || repeat('}', 18))::jsonb
          || jsonb_build_object('contact', format('bo%s@orig-mail.example.org', i))
  FROM generate_series(1, 40) i;
"""


def test_addresses_ten_levels_down_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    paths = rule_of(text, "public.activitylog", "detail")["paths"]
    assert "changes.*.after.filters.groups.*.properties.[key=email].value" in paths
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, detail FROM activitylog ORDER BY id").fetchall()
    for row_id, detail in rows:
        value = detail["changes"][0]["after"]["filters"]["groups"][0]["properties"][0]
        assert value["key"] == "email"  # the rest of the document kept
        assert len(value["value"]) == 1 and "@" in value["value"][0]
        assert f"ann{row_id}@orig-mail" not in str(detail)


def test_values_past_the_depth_limit_are_noted(make_db, tmp_path: Path) -> None:
    _, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert "contact" in rule_of(text, "public.deep", "doc")["paths"]
    assert "hold values more than 16 levels deep: not looked into" in comment_of(
        text, "public.deep", "doc"
    )
