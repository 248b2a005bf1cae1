"""Ids that are an address or a UUID (PostHog's distinct_id): one `forms` rule on every copy.

posthog_user.distinct_id (addresses and UUIDs) got `email`, every UUID an address;
posthog_persondistinctid.distinct_id (addresses, UUIDs, a few usernames) `hash`;
posthog_sessionrecording.distinct_id `lorem`: three rules, and every join by
distinct_id matched no row after masking. A column of UUIDs alone stays kept, and notes
with addresses and UUIDs in their text stay `lorem`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

FIRST = "ARRAY['anna','peter','lisa','jonas','marie','felix','clara','paul']"
LAST = "ARRAY['schmidt','meyer','wagner','becker','fischer','weber','hoffmann','koch']"
PERSON = f"({FIRST})[1 + g % 8] || '.' || ({LAST})[1 + (g / 8) % 8] || g"
IDS = f"""
CREATE TABLE ids (g int PRIMARY KEY, distinct_id text NOT NULL);
INSERT INTO ids SELECT g, CASE
    WHEN g % 5 < 2 THEN {PERSON} || '@mail.example'
    WHEN g % 10 = 9 THEN replace({PERSON}, '.', '')
    ELSE md5('visitor' || g)::uuid::text END
  FROM generate_series(1, 900) g;
CREATE TABLE posthog_user (id int PRIMARY KEY, email text NOT NULL,
  distinct_id varchar(200) UNIQUE NOT NULL);
INSERT INTO posthog_user SELECT g, {PERSON} || '@work.example', distinct_id
  FROM ids WHERE g % 5 IN (0, 2);
CREATE TABLE posthog_persondistinctid (id int PRIMARY KEY, team_id int NOT NULL,
  distinct_id varchar(400) NOT NULL, UNIQUE (team_id, distinct_id));
INSERT INTO posthog_persondistinctid SELECT g, 1, distinct_id FROM ids;
CREATE TABLE posthog_sessionrecording (id int PRIMARY KEY, team_id int NOT NULL,
  session_id text NOT NULL, distinct_id varchar(400), notes text);
INSERT INTO posthog_sessionrecording SELECT s, 1, md5('session' || s)::uuid::text,
  (SELECT distinct_id FROM ids WHERE g = 1 + (s * 7) % 900),
  'replay of ' || md5('n' || s)::uuid::text || ' for ' || {PERSON.replace("g", "s")}
    || '@mail.example, see ticket'
  FROM generate_series(1, 1200) s;
DROP TABLE ids;
"""
# an original address or username: a first and last name of the lists, then g
NAMED = (
    f"'^(' || array_to_string({FIRST}, '|') || ')\\.?(' || array_to_string({LAST}, '|') || ')[0-9]'"
)


def test_ids_of_addresses_and_uuids_get_one_forms_rule(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, IDS)
    rules = [
        rule_of(text, f"public.{table}", "distinct_id")
        for table in ("posthog_user", "posthog_persondistinctid", "posthog_sessionrecording")
    ]
    for rule in rules:
        assert rule["strategy"] == "forms", text
        assert rule["cases"]["uuid"] == "keep", text
    bare = [{k: v for k, v in r.items() if k != "unique"} for r in rules]
    assert bare[0] == bare[1] == bare[2], text
    # a column of UUIDs alone is no one's; free text with addresses stays text
    assert strategy_of(text, "public.posthog_sessionrecording", "session_id") == "keep", text
    assert strategy_of(text, "public.posthog_sessionrecording", "notes") == "lorem", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            f"""SELECT
                (SELECT count(*) FROM posthog_user JOIN posthog_persondistinctid
                   USING (distinct_id)),
                (SELECT count(*) FROM posthog_sessionrecording
                   JOIN posthog_persondistinctid USING (team_id, distinct_id)),
                (SELECT count(*) FROM posthog_user WHERE distinct_id !~ '@'),
                (SELECT count(*) FROM posthog_persondistinctid
                   WHERE distinct_id LIKE '%@mail.example'
                     OR distinct_id ~ ({NAMED}))"""
        ).fetchone()
        # joins hold, UUIDs stay UUIDs, no address or username left
        assert row == (360, 1200, 180, 0), row
