"""JSON paths copying a masked text column are masked with that column's rule.

`users.username` (half of them emails) got `{email, unique}` and the copy at
`events."user"` path `username` `{hash, prefix: u}` from its key: the join on the
username went from 2,000 events to none. A bounce's `meta.Name`, a copy of
`subscribers.name` (full names, first names and logins: too mixed for a detector), was
kept while the column got `full_name`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.rules.json_copies import every_element, name_key, probes_of
from dbrefresh.rules.json_paths import read_documents

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

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


def _path_rule(column: Any) -> Any:
    """A column's rule as a JSON path's: `unique` of forms is the column's, not a path's
    (usernames and addresses: `forms`, mixed_forms.py)."""
    if isinstance(column, dict) and column.get("strategy") == "forms":
        return {k: v for k, v in column.items() if k != "unique"}
    return column


def test_a_username_copied_into_json_is_masked_like_its_column(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, USERS)
    column = _path_rule(rule_of(text, "public.users", "username"))
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


TICKETS = """
CREATE TABLE tickets (id serial PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tickets(data)
SELECT jsonb_build_object('people', jsonb_build_array(jsonb_build_object('login', a.username),
                                                      jsonb_build_object('login', b.username)))
FROM generate_series(1, 300) g JOIN users a ON a.id = 1 + g % 500
     JOIN users b ON b.id = 1 + (g * 7) % 500;
"""


def test_copies_in_arrays_are_masked_like_their_column(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, USERS + TICKETS)
    column = _path_rule(rule_of(text, "public.users", "username"))
    assert rule_of(text, "public.tickets", "data")["paths"] == {"people.*.login": column}
    with psycopg.connect(dsn) as conn:
        [joined] = conn.execute(
            """SELECT count(*) FROM tickets t, jsonb_array_elements(t.data->'people') p
               JOIN users u ON u.username = p->>'login'"""
        ).fetchone()
    assert joined == 600


AUDIT = """
CREATE TABLE audit (id serial PRIMARY KEY, actor jsonb NOT NULL);
INSERT INTO audit(actor) SELECT jsonb_build_object('by', username, 'n', id)
FROM users WHERE id % 2 = 0;
"""


def test_a_kept_document_holding_a_copy_gets_a_jsonb_rule(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, USERS + AUDIT)
    rule = rule_of(text, "public.audit", "actor")
    username = _path_rule(rule_of(text, "public.users", "username"))
    assert rule == {"strategy": "jsonb", "paths": {"by": username}}
    with psycopg.connect(dsn) as conn:
        [joined] = conn.execute(
            "SELECT count(*) FROM audit a JOIN users u ON u.username = a.actor->>'by'"
            " WHERE u.username NOT LIKE 'jsmith%'"
        ).fetchone()
    assert joined == 250


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
    # found a copy, or (first) a name beside the Email path (contact_names.py): alike
    assert "Name: a copy of public.subscribers.name" in comment or (
        "Name: key `Name` beside a contact detail" in comment
    )
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


def test_the_path_naming_every_element() -> None:
    assert every_element("cc.0", frozenset({1})) == "cc"
    assert every_element("contacts.1.name", frozenset({1})) == "contacts.*.name"
    assert every_element("0", frozenset({0})) == "*"
    assert every_element("orders.0.items.2.name", frozenset({1, 3})) == "orders.*.items.*.name"
    assert every_element("a.0", frozenset()) == "a.0"  # '0' an object's key


def test_a_tuples_positions_are_not_looked_up_as_one_array() -> None:
    """An MBQL filter ['=', ['field', 4, null], 'ann@x.org'] holds an address at one
    position only: its elements are no copies of the address column."""
    filters = [
        f'{{"filter": ["=", ["field", 4, null], "user{i}@mail.example"]}}' for i in range(20)
    ]
    logins = [
        f'{{"people": [{{"login": "jsmith{i}"}}, {{"login": "adoe{i}"}}]}}' for i in range(20)
    ]
    probes = probes_of(read_documents([*filters, *logins]))
    assert probes["filter"].values == ()  # the array, every element (nested ones too)
    assert probes["filter"].elements == {"filter.0", "filter.1.0", "filter.1.1", "filter.2"}
    assert len(probes["people.*.login"].values) == 40


MENTIONS = """
CREATE TABLE users (id int PRIMARY KEY, username varchar(64) NOT NULL UNIQUE,
                    notifyprops jsonb NOT NULL);
INSERT INTO users
SELECT g, 'member' || g || 'x',
       jsonb_build_object('push', 'mention', 'email', 'true',
                          'mention_keys', 'member' || g || 'x,@member' || g || 'x,standup',
                          'channel', 'true')
FROM generate_series(1, 300) g;
"""


def test_a_path_holding_usernames_inside_a_list_gets_lorem(make_db, tmp_path: Path) -> None:
    """Mattermost's notify_props mention_keys 'alice,@alice,standup' holds the user's
    username twice: kept, every username reached staging; flags beside it stay."""
    dsn, text = generate_then_mask(make_db, tmp_path, MENTIONS)
    paths = rule_of(text, "public.users", "notifyprops")["paths"]
    assert paths == {"mention_keys": "lorem"}, text
    assert "mention_keys: holds public.users.username" in comment_of(
        text, "public.users", "notifyprops"
    )
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE notifyprops->>'mention_keys' LIKE '%member%'),"
            " count(*) FILTER (WHERE notifyprops->>'push' = 'mention') FROM users"
        ).fetchone()
    assert row == (0, 300)


# Sentry's nodestore events: `tags` a list of [name, value] pairs, the values hashed per
# pair name (array_paths.py); half of them copies of eventuser.email, half server names
# and `id:` idents. The copy alignment gave `tags.*.1` `{email, unique}`, and every
# server name and ident became an email address.
EVENT_TAGS = """
CREATE TABLE eventuser (id int PRIMARY KEY, ident text NOT NULL, email text NOT NULL);
INSERT INTO eventuser
SELECT g, 'id:' || (600000 + g * 37), 'person' || g || '@mail.example'
FROM generate_series(1, 400) g;
CREATE TABLE node (id text PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO node
SELECT md5(g::text), jsonb_build_object('tags', jsonb_build_array(
         jsonb_build_array('user', u.ident), jsonb_build_array('server_name', 'web-' || g % 4),
         jsonb_build_array('user.email', u.email)), 'level', 'error')
FROM generate_series(1, 300) g JOIN eventuser u ON u.id = 1 + g % 400;
"""


def test_pair_values_only_partly_copies_keep_the_pairs_rule(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, EVENT_TAGS)
    assert strategy_of(text, "public.eventuser", "email") == "email", text
    paths = rule_of(text, "public.node", "data")["paths"]
    assert paths["tags.*.1"] == "hash", text
    comment = comment_of(text, "public.node", "data")
    assert "tags.*.1: only " in comment and "its own hash kept" in comment
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE t->>1 LIKE '%@%'),
                      count(*) FILTER (WHERE t->>1 ~ '^[0-9a-f]{32}$'),
                      count(DISTINCT t->>0)
               FROM node, jsonb_array_elements(data->'tags') t"""
        ).fetchone()
    assert row == (0, 900, 3)  # no tag value became an address; names and pairs kept


# Sentry's eventuser.ident (unique with its project: no index leads on it) is larger
# than its sample: a copy the sample missed still looks like its values, and the path's
# own rule (lorem: some idents are emails) gives way all the same, or the copies split.
IDENTS = """
CREATE TABLE eventuser (id int PRIMARY KEY, project_id int NOT NULL, ident varchar(128),
                        UNIQUE (project_id, ident));
INSERT INTO eventuser
SELECT g, 1, CASE g % 3 WHEN 0 THEN (100000 + g)::text WHEN 1 THEN 'user' || g || '@mail.example'
                        ELSE md5(g::text) END
FROM generate_series(1, 2500) g;
ANALYZE eventuser;
CREATE TABLE node (id serial PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO node(data)
SELECT jsonb_build_object('user', jsonb_build_object('id', u.ident), 'level', 'error')
FROM generate_series(1, 2000) g JOIN eventuser u ON u.id = 1 + (g * 13) % 2500;
"""


def test_copies_of_a_column_sampled_in_part_still_align(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, IDENTS)
    column = rule_of(text, "public.eventuser", "ident")
    assert column == {"strategy": "hash", "unique": True}, text
    assert rule_of(text, "public.node", "data")["paths"] == {"user.id": "hash"}, text
    assert "user.id: a copy of public.eventuser.ident" in comment_of(text, "public.node", "data")
    with psycopg.connect(dsn) as conn:
        [joined] = conn.execute(
            "SELECT count(*) FROM node n JOIN eventuser u ON u.ident = n.data->'user'->>'id'"
        ).fetchone()
    assert joined == 2000
