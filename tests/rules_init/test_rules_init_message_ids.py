"""Email Message-IDs: Twenty's message."headerMessageId" ('<CAF=abc123@mail.gmail.com>',
one per message, threads join on it) got `lorem`, and 1,500 distinct ids became 1,389.
The left part is hashed now: the shape and the domain kept, distinct ids distinct."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

MESSAGES = """
CREATE TABLE message (id serial PRIMARY KEY, "headerMessageId" text NOT NULL);
CREATE FUNCTION original(i int) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT CASE i % 3
    WHEN 0 THEN '<CAF=' || substr(md5(i::text), 1, 6) || '@mail.gmail.com>'
    WHEN 1 THEN '<' || md5(i::text)::uuid || '@eu-west-1.amazonses.com>'
    ELSE '<ann.' || i || '@smtp.example.org>' END $$;
INSERT INTO message ("headerMessageId") SELECT original(i) FROM generate_series(1, 1500) i;
-- a reply carries its thread's id again
INSERT INTO message ("headerMessageId") SELECT "headerMessageId" FROM message WHERE id <= 100;
ANALYZE;
"""


def test_message_ids_keep_their_shape_and_stay_distinct(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MESSAGES)
    rule = rule_of(text, "public.message", "headerMessageId")
    assert rule == {"strategy": "hash", "keep_leading": "<", "keep_from": "@"}, text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(DISTINCT m."headerMessageId"),
                 count(*) FILTER (WHERE m."headerMessageId" !~ '^<[0-9a-f]{32}@[^@<>]+>$'),
                 count(*) FILTER (WHERE m."headerMessageId" = o."headerMessageId"),
                 count(*) FILTER (WHERE split_part(m."headerMessageId", '@', 2)
                                        <> split_part(o."headerMessageId", '@', 2)),
                 count(DISTINCT (m."headerMessageId", o."headerMessageId"))
               FROM message m,
                 LATERAL (SELECT original((m.id - 1) % 1500 + 1) AS "headerMessageId") o"""
        ).fetchone()
    # 1,500 distinct ids, each masked alike wherever it appears, in shape, domain kept
    assert row == (1500, 0, 0, 0, 1500)
