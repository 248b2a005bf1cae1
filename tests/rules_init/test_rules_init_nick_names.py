"""Zitadel's nick names: projections.users14_humans.nick_name ('Mic' beside first_name
'Michaela') and the `nickName` key of the user.human.added event's payload were kept:
`nick_name` named no kind. A nick name is a person's name like the first name, and is
masked like one; a one-word `nickname` holding logins stays a user name."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

FIRSTS = "ARRAY['Michaela','Catherine','Hans-Peter','Carsten','Patricia','Jonas','Daria']"
SCHEMA = f"""
CREATE TABLE users14_humans (user_id text PRIMARY KEY, instance_id text NOT NULL,
  first_name text NOT NULL, last_name text NOT NULL, nick_name text, display_name text);
INSERT INTO users14_humans SELECT 'u' || g, 'inst1', f, 'Schmidt',
  CASE WHEN g % 3 = 0 THEN NULL ELSE left(f, 3) END, f || ' Schmidt'
  FROM (SELECT g, ({FIRSTS})[1 + g % 7] f FROM generate_series(1, 140) g) s;
CREATE TABLE events2 (instance_id text, aggregate_id text, sequence int, event_type text,
  payload jsonb, PRIMARY KEY (instance_id, aggregate_id, sequence));
INSERT INTO events2 SELECT instance_id, user_id, 1, 'user.human.added',
  jsonb_build_object('firstName', first_name, 'lastName', last_name,
    'nickName', coalesce(nick_name, ''), 'preferredLanguage', 'de')
  FROM users14_humans;
CREATE TABLE players (id serial PRIMARY KEY, nickname text NOT NULL UNIQUE);
INSERT INTO players (nickname) SELECT 'mbutte' || g FROM generate_series(1, 60) g;
ANALYZE;
"""


def test_nick_names_are_masked_like_first_names(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.users14_humans", "nick_name") == "first_name", text
    payload = rule_of(text, "public.events2", "payload")
    assert payload["paths"]["nickName"] == "first_name", text
    assert strategy_of(text, "public.players", "nickname") == "hash", text
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FILTER (WHERE nick_name IN ('Mic', 'Cat', 'Han', 'Car')),"
            " (SELECT count(*) FROM events2 WHERE payload->>'nickName' IN"
            " ('Mic', 'Cat', 'Han', 'Car')) FROM users14_humans"
        ).fetchone()
    assert kept == (0, 0)
