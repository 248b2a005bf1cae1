"""JSON paths copying a masked text column are masked with that column's rule.

`users.username` (half of them emails) got `{email, unique}` and the copy at
`events."user"` path `username` `{hash, prefix: u}` from its key: the join on the
username went from 2,000 events to none. A bounce's `meta.Name`, a copy of
`subscribers.name` (full names, first names and logins: too mixed for a detector), was
kept while the column got `full_name`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules.json_copies import name_key

from .helpers import comment_of, generate_then_mask, rule_of

USERS = """
CREATE TABLE users (id int PRIMARY KEY, username varchar(150) NOT NULL UNIQUE,
                    email varchar(254) NOT NULL, name text NOT NULL);
INSERT INTO users
SELECT g, CASE WHEN g % 2 = 1 THEN 'user' || g || '@mail.example' ELSE 'jsmith' || g END,
       'user' || g || '@mail.example', 'Anna Schmidt'
FROM generate_series(1, 500) g;
CREATE TABLE events (id serial PRIMARY KEY, "user" jsonb NOT NULL, action text NOT NULL);
INSERT INTO events("user", action)
SELECT jsonb_build_object('pk', u.id, 'username', u.username, 'email', u.email), 'login'
FROM generate_series(1, 2000) g JOIN users u ON u.id = 1 + g % 500;
"""


def test_a_username_copied_into_json_is_masked_like_its_column(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, USERS)
    column = rule_of(text, "public.users", "username")
    assert rule_of(text, "public.events", "user")["paths"]["username"] == column
    assert "username: a copy of public.users.username" in comment_of(text, "public.events", "user")
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            """SELECT (SELECT count(*) FROM events e JOIN users u
                       ON u.username = e."user"->>'username'),
                      (SELECT count(*) FROM events e JOIN users u ON u.email = e."user"->>'email'),
                      (SELECT count(*) FROM users WHERE username LIKE 'jsmith%')"""
        ).fetchone()
    assert joined == (2000, 2000, 0)


FIRST = "ARRAY['Anna','Peter','Maria','Thomas','Julia','Michael','Laura','David','Sarah','Daniel']"
LAST = "ARRAY['Schmidt','Johnson','de Vries','Bakker','Williams','Meyer','Brown','Jansen','Taylor']"
SUBSCRIBERS = f"""
CREATE TABLE subscribers (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL);
INSERT INTO subscribers
SELECT g, 'sub' || g || '@mail.example',
       CASE WHEN g % 20 < 3 THEN ({FIRST})[1 + g % 10] || ' ' || ({LAST})[1 + g % 9]
            WHEN g % 20 < 11 THEN ({FIRST})[1 + g % 10]
            ELSE lower(({FIRST})[1 + g % 10]) || g END
FROM generate_series(1, 1000) g;
CREATE TABLE bounces (id serial PRIMARY KEY,
                      subscriber_id int NOT NULL REFERENCES subscribers(id), meta jsonb NOT NULL);
INSERT INTO bounces(subscriber_id, meta)
SELECT id, jsonb_build_object('Email', email, 'Name', name, 'Description', 'Hard bounce')
FROM subscribers WHERE id % 7 < 3;
"""


def test_a_name_copied_into_json_is_masked_like_its_column(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SUBSCRIBERS)
    assert rule_of(text, "public.subscribers", "name") == "full_name"
    assert rule_of(text, "public.bounces", "meta")["paths"]["Name"] == "full_name"
    comment = comment_of(text, "public.bounces", "meta")
    assert "Name: a copy of public.subscribers.name" in comment
    assert "too few to mask" not in comment
    with psycopg.connect(dsn) as conn:
        found = conn.execute(
            """SELECT (SELECT count(*) FROM bounces b JOIN subscribers s
                       ON s.id = b.subscriber_id AND s.name = b.meta->>'Name'),
                      (SELECT count(*) FROM bounces WHERE meta->>'Name' ~ 'Schmidt|Johnson|Meyer'),
                      (SELECT count(*) FROM bounces WHERE meta->>'Description' = 'Hard bounce')"""
        ).fetchone()
    assert found == (428, 0, 428)  # still the subscriber's (masked) name, none of the originals


def test_keys_that_say_name() -> None:
    assert all(map(name_key, ["Name", "meta.fullName", "displayName", "first_name", "surname"]))
    assert not any(map(name_key, ["username", "Description", "name_id", "names.0"]))
