"""Mailman 3 core: pendedkeyvalue(key, value, pended_id) holds each value of a pending
request as json.dumps(value) ('"ann@x.org"', '"Ann Lee"', '"subscriber"'). Every case
the key/value switch masked became '"<hex>"': the subscriber's address no longer
matched address.email, a display name was no name, the enum token_owner and the list's
own address were destroyed, and _mod_message_id no longer joined message.message_id.
ban.email holds regular expressions ('^.*@spam3\\.example$') beside addresses: `email`
made the domain bans plain fake addresses, banning no one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify_report

from .helpers import generate_then_mask, rule_of, strategy_of

MAILMAN = r"""
CREATE TABLE "user" (id serial PRIMARY KEY, display_name varchar(255));
CREATE TABLE address (id serial PRIMARY KEY, email varchar(255), _original varchar(255),
  display_name varchar(255), user_id integer REFERENCES "user"(id));
CREATE TABLE pended (id serial PRIMARY KEY, token varchar(255), expiration_date timestamp);
CREATE TABLE pendedkeyvalue (id serial PRIMARY KEY, "key" varchar(255), value text,
  pended_id integer REFERENCES pended(id));
CREATE TABLE message (id serial PRIMARY KEY, message_id_hash bytea, path bytea,
  message_id text);
CREATE TABLE ban (id serial PRIMARY KEY, email varchar(255), list_id varchar(255));
CREATE TEMP TABLE p AS SELECT g,
  (ARRAY['Anna','Jürgen','Marie','Kenji','João','Zofia'])[g % 6 + 1] || ' ' ||
  (ARRAY['Schmidt','Dupont','Tanaka','Silva','Nowak','Miller','Keller'])[g % 7 + 1] AS dn,
  (ARRAY['anna','juergen','marie','kenji','joao','zofia'])[g % 6 + 1] || '.' ||
  (ARRAY['schmidt','dupont','tanaka','silva','nowak','miller','keller'])[g % 7 + 1] ||
  g || '@example.net' AS em,
  '<' || (ARRAY['anna','juergen','marie','kenji','joao','zofia'])[g % 6 + 1] || '.post' || g
  || '@mail.example.net>' AS mid,
  md5('t' || g) AS tok FROM generate_series(1, 240) g;
INSERT INTO "user" (display_name) SELECT dn FROM p;
INSERT INTO address (email, _original, display_name, user_id) SELECT em, em, dn, g FROM p;
INSERT INTO pended (token, expiration_date) SELECT tok, now() + interval '3 days' FROM p;
INSERT INTO pendedkeyvalue (key, value, pended_id)
  SELECT 'type', '"subscription"', g FROM p
  UNION ALL SELECT 'token_owner',
    to_json((ARRAY['subscriber','moderator','no_one'])[g % 3 + 1])::text, g FROM p
  UNION ALL SELECT 'email', to_json(em)::text, g FROM p
  UNION ALL SELECT 'display_name', to_json(dn)::text, g FROM p
  UNION ALL SELECT 'list_id', '"users.lists.example.org"', g FROM p
  UNION ALL SELECT '_mod_message_id', to_json(mid)::text, g FROM p
  UNION ALL SELECT '_mod_fqdn_listname', '"users@lists.example.org"', g FROM p
  UNION ALL SELECT 'api_token', to_json(md5('k' || g))::text, g FROM p;
INSERT INTO message (message_id_hash, path, message_id)
  SELECT convert_to(upper(md5(mid)), 'UTF8'), convert_to('ab/' || md5(mid), 'UTF8'), mid FROM p;
INSERT INTO ban (email, list_id) SELECT CASE g % 3
  WHEN 0 THEN '^.*@spam' || g || '\.example$' WHEN 1 THEN em
  ELSE '^' || split_part(em, '.', 1) || '.*@gmail\.com$' END, NULL FROM p;
CREATE TABLE mailinglist (id serial PRIMARY KEY, list_name varchar(255),
  accept_these_nonmembers text[]);
INSERT INTO mailinglist (list_name, accept_these_nonmembers) SELECT 'list' || g,
  ARRAY[em, '^.*@partner' || g || '\.example$'] FROM p;
ANALYZE;
"""


def _masked(dsn: str) -> dict[str, list[tuple[int, str]]]:
    """The masked values of each pending key: (pended_id, value)."""
    out: dict[str, list[tuple[int, str]]] = {}
    with psycopg.connect(dsn) as conn:
        for key, pended, value in conn.execute(
            "SELECT key, pended_id, value FROM pendedkeyvalue ORDER BY pended_id"
        ):
            out.setdefault(key, []).append((pended, value))
    return out


def test_pending_values_are_masked_by_their_kind_inside_their_quotes(
    make_db, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MAILMAN)
    rule = rule_of(text, "public.pendedkeyvalue", "value")
    assert rule["strategy"] == "switch", rule
    for kept in ("token_owner", "_mod_fqdn_listname", "type", "list_id"):
        assert kept not in rule["cases"] or rule["cases"][kept] == "keep", rule
    values = _masked(dsn)
    for rows in values.values():
        assert all(isinstance(json.loads(v), str) for _, v in rows)  # still JSON strings
    with psycopg.connect(dsn) as conn:
        emails = dict(conn.execute("SELECT user_id, email FROM address").fetchall())
        message_ids = {m for (m,) in conn.execute("SELECT message_id FROM message")}
    # the subscriber's address: masked, and exactly as address.email
    for pended, value in values["email"]:
        assert json.loads(value) == emails[pended], (value, emails[pended])
        assert "@example.net" not in value
    # display names: names (letters and a space), no hex, none of the originals
    shown = [json.loads(v) for _, v in values["display_name"]]
    assert all(" " in n and not re.search(r"[\d\"\\]", n) for n in shown), shown[:5]
    assert not set(shown) & {"Anna Schmidt", "Kenji Tanaka", "Zofia Nowak", "Marie Dupont"}
    # enums and the list's own address kept
    owners = {json.loads(v) for _, v in values["token_owner"]}
    assert owners == {"subscriber", "moderator", "no_one"}
    assert {v for _, v in values["_mod_fqdn_listname"]} == {'"users@lists.example.org"'}
    assert {v for _, v in values["type"]} == {'"subscription"'}
    # a real token under the key/value table is still hashed (decoy for the enum rule)
    tokens = [json.loads(v) for _, v in values["api_token"]]
    with psycopg.connect(dsn) as conn:
        left = {m for (m,) in conn.execute("SELECT md5('k' || g) FROM generate_series(1, 240) g")}
    assert not left & set(tokens)
    # held-message lookup: the masked _mod_message_id is a masked message.message_id
    held = [json.loads(v) for _, v in values["_mod_message_id"]]
    assert all(m.startswith("<") and m.endswith("@mail.example.net>") for m in held), held[:3]
    assert not any(".post" in m for m in held), held[:3]
    assert set(held) <= message_ids, (held[:3], sorted(message_ids)[:3])
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    assert not [f for f in report.findings if f.code == "leak"], report.findings


def test_banned_patterns_are_kept_and_banned_addresses_masked(make_db, tmp_path: Path) -> None:
    dsn, _ = generate_then_mask(make_db, tmp_path, MAILMAN)
    with psycopg.connect(dsn) as conn:
        rows = dict(conn.execute("SELECT id, email FROM ban").fetchall())
    for g, email in rows.items():
        if g % 3 == 0:  # a domain ban names no one: kept, still a pattern
            assert email == f"^.*@spam{g}\\.example$", email
        else:  # an address, or a pattern naming a mailbox ('^anna.*@gmail'): masked
            assert "@example.net" not in email and "gmail" not in email, email
            assert not email.startswith("^"), email
    with psycopg.connect(dsn) as conn:
        accepted = conn.execute("SELECT id, accept_these_nonmembers FROM mailinglist").fetchall()
    for g, (address, pattern) in accepted:
        assert pattern == f"^.*@partner{g}\\.example$", pattern
        assert "@example.net" not in address and "@" in address, address
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    assert not [f for f in report.findings if f.code == "leak"], report.findings


HELD = r"""
CREATE TABLE pended (id serial PRIMARY KEY, token varchar(255));
CREATE TABLE pendedkeyvalue (id serial PRIMARY KEY, "key" varchar(255), value text,
  pended_id integer REFERENCES pended(id));
CREATE TABLE message (id serial PRIMARY KEY, message_id text);
CREATE TEMP TABLE p AS SELECT g, '<' || substr(md5('m' || g), 1, 24) || '@mail.example.net>'
  AS machine, '<' || (ARRAY['anna','kenji','zofia'])[g % 3 + 1] || '.post' || g
  || '@mail.example.net>' AS human FROM generate_series(1, 240) g;
INSERT INTO pended (token) SELECT md5('t' || g) FROM p;
INSERT INTO message (message_id) SELECT machine FROM p;
INSERT INTO pendedkeyvalue (key, value, pended_id)
  SELECT 'type', '"held message"', g FROM p
  UNION ALL SELECT '_mod_message_id', to_json(CASE WHEN g % 2 = 0 THEN machine ELSE human END)
    ::text, g FROM p;
ANALYZE;
"""


def test_held_message_ids_mask_like_the_kept_message_ids(make_db, tmp_path: Path) -> None:
    """message.message_id's sample is all machine-made ids (kept), the pendings' are not
    (hashed): the message column is hashed alike, so a held message is still found."""
    dsn, text = generate_then_mask(make_db, tmp_path, HELD)
    assert strategy_of(text, "public.message", "message_id") == "hash"
    with psycopg.connect(dsn) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pendedkeyvalue v JOIN message m"
            " ON m.message_id = v.value::json #>> '{}' WHERE v.key = '_mod_message_id'"
        ).fetchone()
        held = [
            json.loads(v)
            for (v,) in conn.execute(
                "SELECT value FROM pendedkeyvalue WHERE key = '_mod_message_id'"
            )
        ]
    assert found is not None and found[0] == 120, found
    assert not any(".post" in m for m in held), held[:3]
