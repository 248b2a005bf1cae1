"""Joins of identity stores (Supabase's GoTrue, Zitadel) survive masking as proposed.

GoTrue's `audit_log_entries.payload->'traits'->>'user_phone'` got plain `phone` while
`users.phone` got `{phone, unique: true}`: 659 of 659 rows joined before masking and
none after (Zitadel's event payloads and its projection likewise). Its phone numbers
are E.164 digits without '+' ('49091390996'): `phone` kept no calling code, and one
in ten came out starting with 0, which GoTrue refuses. And `sessions.ip` (inet) no
longer joined `audit_log_entries.ip_address` (varchar): the inet was keyed on
'27.164.224.234/32'."""

from __future__ import annotations

from pathlib import Path

import psycopg
import yaml

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, phone text UNIQUE, order_ref text NOT NULL);
INSERT INTO users SELECT g, (ARRAY['49', '1', '33', '44'])[1 + g % 4]
  || (150000000 + g * 7919), '49' || (100000000 + g * 31)
  FROM generate_series(1, 400) g;
CREATE TABLE audit_log_entries (id int PRIMARY KEY, payload jsonb, ip_address varchar(64));
INSERT INTO audit_log_entries SELECT g, jsonb_build_object('action', 'login',
  'traits', jsonb_build_object('user_phone', u.phone)),
  '27.' || (g % 200) || '.' || (g % 7) || '.' || (1 + g % 250)
  FROM generate_series(1, 600) g JOIN users u ON u.id = 1 + g % 400;
CREATE TABLE sessions (id int PRIMARY KEY, ip inet);
INSERT INTO sessions SELECT g, ('27.' || (g % 200) || '.' || (g % 7) || '.' || (1 + g % 250))::inet
  FROM generate_series(1, 300) g;
CREATE TABLE humans (id int PRIMARY KEY, phone text);
INSERT INTO humans SELECT g, '+' || (ARRAY['49', '1', '33'])[1 + g % 3] || (160000000 + g)
  FROM generate_series(1, 300) g;
CREATE TABLE events (id int PRIMARY KEY, payload jsonb);
INSERT INTO events SELECT g, jsonb_build_object('phone', h.phone, 'type', 'phone.changed')
  FROM generate_series(1, 500) g JOIN humans h ON h.id = 1 + g % 300;
"""

JOINS = (
    "SELECT count(*) FROM audit_log_entries a JOIN users u"
    " ON a.payload->'traits'->>'user_phone' = u.phone",
    "SELECT count(*) FROM events e JOIN humans h ON e.payload->>'phone' = h.phone",
    "SELECT count(*) FROM sessions s JOIN audit_log_entries a ON host(s.ip) = a.ip_address",
)


def test_phones_and_addresses_still_join_after_masking(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    with psycopg.connect(dsn) as conn:
        joined = [conn.execute(q).fetchone() for q in JOINS]
        phones = conn.execute(
            "SELECT count(*) FILTER (WHERE phone !~ '^(49|1|33|44)[0-9]{9}$'),"
            " count(*) FILTER (WHERE phone LIKE '0%'),"
            " count(*) FILTER (WHERE phone LIKE '%' || (150000000 + id * 7919))"
            " FROM users"
        ).fetchone()
    assert joined == [(600,), (500,), (300,)], (joined, text)
    assert phones == (0, 0, 0), phones  # calling code kept, never a leading 0, masked
    assert rule_of(text, "public.users", "phone") == {
        "strategy": "phone",
        "e164": True,
        "unique": True,
    }
    paths = yaml.safe_load(text)["tables"]["public.audit_log_entries"]["columns"]["payload"]
    assert paths["paths"]["traits.user_phone"] == rule_of(text, "public.users", "phone")
    # a key of the same shape that names no one stays as it is
    assert rule_of(text, "public.users", "order_ref") == "keep"


ALONE = """
CREATE TABLE sms (id int PRIMARY KEY, payload jsonb, phone text);
INSERT INTO sms SELECT g, jsonb_build_object('to_phone', (ARRAY['49', '1', '33'])[1 + g % 3]
  || (170000000 + g * 13)), '0' || (151000000 + g * 17)
  FROM generate_series(1, 300) g;
"""


def test_a_json_path_of_bare_numbers_keeps_their_calling_code(make_db, tmp_path: Path) -> None:
    """No column to align with: the path's own sample says E.164. National numbers with
    their trunk 0 are no such numbers (their 0 stays, and the digit after it is never 0)."""
    dsn, text = generate_then_mask(make_db, tmp_path, ALONE)
    payload = rule_of(text, "public.sms", "payload")
    assert payload["paths"]["to_phone"] == {"strategy": "phone", "e164": True}, text
    judged = comment_of(text, "public.sms", "payload"), comment_of(text, "public.sms", "phone")
    assert "look like E.164" in judged[0] and "look like E.164" not in judged[1], judged
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE payload->>'to_phone' !~ '^(49|1|33)[1-9][0-9]{8}$'),"
            " count(*) FILTER (WHERE phone !~ '^0[1-9][0-9]{8}$') FROM sms"
        ).fetchone()
    assert row == (0, 0), row


NATIONAL = """
CREATE TABLE auth_users (id int PRIMARY KEY, phone text UNIQUE);
INSERT INTO auth_users SELECT g, (ARRAY['49', '1', '33', '44'])[1 + g % 4]
  || (150000000 + g * 7919) FROM generate_series(1, 300) g;
CREATE TABLE customers (id int PRIMARY KEY, phone text, mobile text);
INSERT INTO customers SELECT g, n / 10000000 || '-' || n / 10000 % 1000 || '-' || n % 10000,
  n::text FROM (SELECT g, 2000000000 + g * 4999991 % 7000000000 AS n
  FROM generate_series(1, 400) g) s;
"""


def test_national_numbers_beside_bare_e164_ones_get_no_e164(make_db, tmp_path: Path) -> None:
    """`e164` is each rule's own judgement, never spread by alignment: spread from a
    GoTrue column, it read US numbers ('466-497-3042', '4664973042') as '+46...' and kept
    their first two digits in 1,329 of 1,500 rows."""
    dsn, text = generate_then_mask(make_db, tmp_path, NATIONAL)
    assert rule_of(text, "public.auth_users", "phone")["e164"] is True, text
    for column in ("phone", "mobile"):
        rule = rule_of(text, "public.customers", column)
        assert not (isinstance(rule, dict) and rule.get("e164")), (column, text)
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FILTER (WHERE left(c.mobile, 2) = left(o.n::text, 2))"
            " FROM customers c JOIN (SELECT g, 2000000000 + g * 4999991 % 7000000000 AS n"
            " FROM generate_series(1, 400) g) o ON o.g = c.id"
        ).fetchone()[0]
    assert kept < 40, kept  # ~1 in 10 by chance; all 400 with e164
