"""Logins made of people's names and Matrix-style ids (Synapse's users.name
'@dennis.boone:example.org', profiles.user_id 'dennis.boone', events.sender): `rules
init` kept all three (no detector knew them, a key column trusts few), only the display
name was masked, and verify passed. Now they are hashed by value, the '@' and the
server kept, so the id, its bare local part and the JSON events naming it (no foreign
key: they join by value) still agree once masked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg
from faker import Faker

from .helpers import comment_of, generate_then_mask, rule_of

PEOPLE = 300


def _people() -> list[tuple[str, str]]:
    """(local part, display name) of PEOPLE different people, as faker makes them."""
    fake = Faker("en_US")
    fake.seed_instance(7)
    out: dict[str, str] = {}
    while len(out) < PEOPLE:
        first, last = fake.first_name(), fake.last_name()
        out.setdefault(f"{first}.{last}".lower(), f"{first} {last}")
    return list(out.items())


def _schema(people: list[tuple[str, str]]) -> str:
    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    users = ", ".join(
        f"({q(f'@{local}:example.org')}, 'x', {i})" for i, (local, _) in enumerate(people)
    )
    profiles = ", ".join(f"({q(local)}, {q(name)})" for local, name in people)
    docs = []
    for i, (local, name) in enumerate(people):
        doc = {
            "sender": f"@{local}:example.org",
            "type": "m.room.member",
            "state_key": f"@{people[(i + 1) % PEOPLE][0]}:example.org",
            "content": {"membership": "join", "displayname": name},
        }
        docs.append(f"({i}, {q(json.dumps(doc))})")
    return f"""
CREATE TABLE users (name text PRIMARY KEY, password_hash text, creation_ts bigint);
CREATE TABLE profiles (user_id text PRIMARY KEY, displayname text);
CREATE TABLE events (stream_ordering bigint PRIMARY KEY, sender text NOT NULL, type text);
CREATE TABLE event_json (stream_ordering bigint PRIMARY KEY, json text NOT NULL);
INSERT INTO users VALUES {users};
INSERT INTO profiles VALUES {profiles};
INSERT INTO events SELECT i, name, 'm.room.message'
  FROM (SELECT name, row_number() OVER (ORDER BY creation_ts) AS i FROM users) u;
INSERT INTO event_json VALUES {", ".join(docs)};
"""


def test_user_ids_are_masked_alike_in_every_table_and_document(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    people = _people()
    dsn, text = generate_then_mask(make_db, tmp_path, _schema(people))
    split = {"strategy": "hash", "prefix": "u", "keep_leading": "@", "keep_from": ":"}
    assert rule_of(text, "public.users", "name") == {**split, "unique": True}
    assert "user ids (@name:server)" in comment_of(text, "public.users", "name")
    assert rule_of(text, "public.events", "sender") == split
    assert rule_of(text, "public.profiles", "user_id") == {
        "strategy": "hash",
        "prefix": "u",
        "unique": True,
    }
    assert "logins made of names" in comment_of(text, "public.profiles", "user_id")
    paths = rule_of(text, "public.event_json", "json")["paths"]
    assert paths["sender"] == paths["state_key"] == split
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    with psycopg.connect(dsn) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM users")}
        locals_ = {r[0] for r in conn.execute("SELECT user_id FROM profiles")}
        senders = {r[0] for r in conn.execute("SELECT sender FROM events")}
        docs = [json.loads(r[0]) for r in conn.execute("SELECT json FROM event_json")]
        dump = " ".join(
            str(r[0])
            for r in conn.execute(
                "SELECT concat_ws(' ', u.name, p.user_id, p.displayname, e.sender, j.json)"
                " FROM users u, profiles p, events e, event_json j"
                " WHERE p.user_id = substr(split_part(u.name, ':', 1), 2)"
                " AND e.sender = u.name AND j.json::jsonb ->> 'sender' = u.name"
            )
        )
    assert all(re.fullmatch(r"@u[0-9a-f]{32}:example\.org", n) for n in names)
    # joined by value, with no foreign key: still joined
    assert {f"@{local}:example.org" for local in locals_} == names == senders
    assert {d["sender"] for d in docs} == {d["state_key"] for d in docs} == names
    assert len(dump.split(" ")) > PEOPLE  # every row still joins its id
    for local, _ in people:
        assert local not in dump


NICKS = """
CREATE TABLE users (name text PRIMARY KEY, creation_ts bigint);
INSERT INTO users SELECT '@' || (ARRAY['kitten', 'zorro', 'bluefox', 'nightowl'])[1 + i % 4]
  || i || ':matrix.example.org', i FROM generate_series(1, 200) i;
CREATE TABLE profiles (user_id text PRIMARY KEY, avatar_url text);
INSERT INTO profiles SELECT substr(split_part(name, ':', 1), 2), NULL FROM users;
CREATE TABLE directory (id int PRIMARY KEY, localpart text, room text);
INSERT INTO directory SELECT creation_ts, substr(split_part(name, ':', 1), 2), 'lobby'
  FROM users;
"""


def test_bare_local_parts_of_masked_ids_are_copies_whatever_they_look_like(
    make_db, tmp_path: Path
) -> None:
    """Local parts made of no names ('kitten42') say nothing by themselves: beside the
    masked ids, a column of them is their copy (masked alike), or, as a key, noted."""
    dsn, text = generate_then_mask(make_db, tmp_path, NICKS)
    split = {"strategy": "hash", "prefix": "u", "keep_leading": "@", "keep_from": ":"}
    assert rule_of(text, "public.users", "name") == {**split, "unique": True}
    assert rule_of(text, "public.directory", "localpart") == split
    assert "a copy of public.users.name" in comment_of(text, "public.directory", "localpart")
    assert rule_of(text, "public.profiles", "user_id") == "keep"  # a key: not behind its back
    assert "REVIEW: a copy of public.users.name" in comment_of(text, "public.profiles", "user_id")
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE d.localpart ~ '^u[0-9a-f]{32}$')"
            " FROM users u JOIN directory d ON u.name = '@' || d.localpart || ':matrix.example.org'"
        ).fetchone()
    assert joined == (200, 200)


def test_settings_words_and_emails_are_no_logins() -> None:
    from dbrefresh.rules import pii_values

    settings = ["max_price", "page_size", "sort_order", "max_items", "rose_gold", "king_size"]
    assert pii_values.match_values(settings * 5) is None  # repeats a few: no one's logins
    found = pii_values.match_values([f"{a}.{b}" for a, b in zip(FIRST, LAST, strict=True)])
    assert found is not None and found.kind == "username"
    assert pii_values.match_values(["chill", "shall", "dboone", "still"] * 5) is None
    emails = [f"{a}.{b}@mail.example.org" for a, b in zip(FIRST, LAST, strict=True)]
    assert pii_values.match_values(emails).kind == "email"  # type: ignore[union-attr]


FIRST = ["anna", "james", "maria", "peter", "linda", "john", "susan", "paul", "karen", "mark"]
LAST = ["smith", "brown", "wilson", "taylor", "clark", "lewis", "walker", "hall", "young", "king"]
