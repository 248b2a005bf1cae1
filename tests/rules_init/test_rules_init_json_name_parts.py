"""A full name composed of name parts kept in JSON stays composed after masking.

Zitadel's `user.human.added` payload holds firstName, lastName and displayName
('Michaela Kälin'): the parts got first_name and last_name, the display name full_name,
and it matched its masked parts in none of 600 events. pretix's
`attendee_name_cached` ('Cheyenne Butler') beside `attendee_name_parts`
({"given_name": ..., "family_name": ...}, JSON in text) likewise. Now both get a
template over the parts' masked paths, their old rule where a part is missing (profile
changes carry lastName and displayName alone; pretix's 'full' scheme full_name alone);
a full name composed in too few documents gets a REVIEW note instead.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

FIRST = (
    "ARRAY['Michaela','Cheyenne','Janet','Lisa','Susan','William','Aaron','Todd','Amanda',"
    "'Ernestine','Patricia','Hans-Peter']"
)
LAST = (
    "ARRAY['Kälin','Butler','Le','Bärer','Bryant','Lane','Heuser','Linke','Estes','Kelly',"
    "'Zamora','Fischer']"
)
F = f"({FIRST})[1+g%12]"
L = f"({LAST})[1+(g/12)%12]"

SCHEMA = f"""
CREATE SCHEMA eventstore;
CREATE TABLE eventstore.events2 (instance_id text NOT NULL, aggregate_type text NOT NULL,
  aggregate_id text NOT NULL, event_type text NOT NULL, sequence bigint NOT NULL,
  payload jsonb, PRIMARY KEY (instance_id, aggregate_type, aggregate_id, sequence));
INSERT INTO eventstore.events2 SELECT '1', 'user', (2458700000 + g)::text,
  'user.human.added', 1, jsonb_build_object('userName', lower({F}) || '.' || g,
  'firstName', {F}, 'lastName', {L}, 'displayName', {F} || ' ' || {L},
  'email', lower({F}) || g || '@example.com', 'preferredLanguage', 'de')
  FROM generate_series(1, 240) g;
INSERT INTO eventstore.events2 SELECT '1', 'user', (2458700000 + g)::text,
  'user.human.profile.changed', 2, jsonb_build_object('lastName', {L},
  'displayName', ({FIRST})[1+(g+5)%12] || ' ' || {L}) FROM generate_series(1, 60) g;
INSERT INTO eventstore.events2 SELECT '1', 'project', (2458800000 + g)::text,
  'project.role.added', 1, jsonb_build_object('key', 'role' || g, 'displayName', 'Administrator')
  FROM generate_series(1, 10) g;
CREATE TABLE mt_doc_customer (id bigint PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO mt_doc_customer SELECT g, jsonb_build_object('FirstName', {F}, 'LastName', {L},
  'FullName', CASE WHEN g % 3 = 0 THEN {F} || ' ' || {L}
    ELSE ({FIRST})[1+(g+1)%12] || ' ' || ({LAST})[1+(g+7)%12] END)
  FROM generate_series(1, 150) g;
CREATE TABLE pretixbase_orderposition (id bigint PRIMARY KEY,
  attendee_name_cached varchar(255), attendee_name_parts text NOT NULL);
INSERT INTO pretixbase_orderposition SELECT g, {F} || ' ' || {L},
  json_build_object('_scheme', 'given_family', 'given_name', {F}, 'family_name', {L})::text
  FROM generate_series(1, 200) g;
INSERT INTO pretixbase_orderposition SELECT g, {F} || ' ' || ({FIRST})[1+(g+3)%12] || ' ' || {L},
  json_build_object('_scheme', 'given_middle_family', 'given_name', {F},
    'middle_name', ({FIRST})[1+(g+3)%12], 'family_name', {L})::text
  FROM generate_series(201, 220) g;
INSERT INTO pretixbase_orderposition SELECT g, {F} || ' ' || {L},
  json_build_object('_scheme', 'full', 'full_name', {F} || ' ' || {L})::text
  FROM generate_series(221, 240) g;
"""

EVENTS = """
SELECT event_type, count(*),
  count(*) FILTER (WHERE payload->>'displayName' = (payload->>'firstName') || ' ' ||
    (payload->>'lastName')),
  count(*) FILTER (WHERE payload->>'displayName' LIKE ' %%' OR payload->>'displayName' = ''),
  count(*) FILTER (WHERE payload->>'displayName' = (%s::text[])[1+g%%12]
    || ' ' || (%s::text[])[1+(g/12)%%12])
FROM (SELECT *, aggregate_id::bigint - 2458700000 AS g FROM eventstore.events2) AS e
GROUP BY 1 ORDER BY 1
"""
POSITIONS = """
SELECT p->>'_scheme', count(*),
  count(*) FILTER (WHERE attendee_name_cached = concat_ws(' ', p->>'given_name',
    p->>'middle_name', p->>'family_name')),
  count(*) FILTER (WHERE attendee_name_cached = p->>'full_name')
FROM (SELECT attendee_name_cached, attendee_name_parts::jsonb AS p
  FROM pretixbase_orderposition) AS x GROUP BY 1 ORDER BY 1
"""


def _names(array: str) -> list[str]:
    return [n.strip("'") for n in array.removeprefix("ARRAY[").removesuffix("]").split(",")]


def test_full_names_composed_of_json_name_parts_stay_composed(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    paths = rule_of(text, "eventstore.events2", "payload")["paths"]
    assert paths["displayName"] == {
        "strategy": "template",
        "template": "{first_name:payload.firstName} {last_name:payload.lastName}",
        "otherwise": "full_name",
    }
    assert (paths["firstName"], paths["lastName"]) == ("first_name", "last_name")
    cached = rule_of(text, "public.pretixbase_orderposition", "attendee_name_cached")
    parts = "attendee_name_parts"
    assert cached == {
        "strategy": "template",
        "template": f"{{first_name:{parts}.given_name}} {{first_name:{parts}.middle_name|space}}"
        f"{{last_name:{parts}.family_name}}",
        "otherwise": "full_name",
    }
    # composed in a third of the documents: kept full_name, with a note
    assert rule_of(text, "public.mt_doc_customer", "data")["paths"]["FullName"] == "full_name"
    note = comment_of(text, "public.mt_doc_customer", "data")
    assert "FullName: REVIEW: its document's name parts FirstName and LastName composed" in note
    with psycopg.connect(dsn) as conn:
        events = conn.execute(EVENTS, (_names(FIRST), _names(LAST))).fetchall()
        positions = conn.execute(POSITIONS).fetchall()
    assert events == [
        ("project.role.added", 10, 0, 0, 0),
        ("user.human.added", 240, 240, 0, 0),  # composed, and no original name left
        ("user.human.profile.changed", 60, 0, 0, 0),  # full_name there, never ' Weber'
    ]
    assert positions == [
        ("full", 20, 0, 20),  # full_name of the same name as the path's full_name
        ("given_family", 200, 200, 0),
        ("given_middle_family", 20, 20, 0),
    ]
