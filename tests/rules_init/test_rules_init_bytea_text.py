"""Text kept as bytes: Ory Kratos keeps each message's template data as UTF-8 JSON in
bytea (courier_messages.template_data: the recipient's email, name and phone, a
verification code and URL); all of it was kept with no note, while `recipient` and
`body` beside it were masked. Decoded, it is judged as text is, its JSON documents path
by path (they were replaced by '{}'); JSON without anything personal, invalid UTF-8 and
images stay as they were."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

KRATOS = """
CREATE TABLE courier_messages (id uuid PRIMARY KEY, type int NOT NULL, body text NOT NULL,
  recipient varchar(255) NOT NULL, template_type varchar(255) NOT NULL DEFAULT '',
  template_data bytea, settings bytea NOT NULL, payload bytea, thumbnail bytea,
  reply bytea, api_token bytea);
INSERT INTO courier_messages
SELECT md5('m' || i)::uuid, 1,
  'Hi ' || f || ', please verify your account with code ' || (100000 + i),
  lower(f) || '.' || lower(l) || i || '@mail.example', 'verification_code',
  convert_to(jsonb_build_object(
    'to', lower(f) || '.' || lower(l) || i || '@mail.example',
    'verification_code', (100000 + i)::text,
    'verification_url', 'https://auth.example.com/self-service/verification?flow='
      || md5('f' || i)::uuid || '&code=' || (100000 + i),
    'identity', jsonb_build_object('id', md5('u' || i)::uuid, 'traits', jsonb_build_object(
      'email', lower(f) || '.' || lower(l) || i || '@mail.example',
      'name', jsonb_build_object('first', f, 'last', l),
      'phone', '+49 171 ' || (2000000 + i * 7))))::text, 'UTF8'),
  convert_to(jsonb_build_object('theme', 'dark', 'version', i % 3, 'retries', 5)::text, 'UTF8'),
  -- invalid UTF-8 (a latin-1 byte) in most rows: no text
  CASE WHEN i % 10 = 0 THEN convert_to('plain', 'UTF8')
       ELSE '\\x66e96c6978'::bytea || sha256(('p' || i)::bytea) END,
  '\\x89504e470d0a1a0a'::bytea || sha256(('t' || i)::bytea),
  convert_to('Thanks, I will be there. Reach me at ' || lower(f) || i || '@mail.example'
    || E'\n-- \n' || f || ' ' || l, 'UTF8'),
  convert_to(md5('k' || i), 'UTF8')
FROM generate_series(1, 300) i,
  LATERAL (SELECT (ARRAY['Anna', 'Jonas', 'Léa', 'Mateo', 'Sofia'])[1 + i % 5] AS f,
    (ARRAY['Schmidt', 'Dubois', 'Kowalski', 'García', 'Rossi', 'Novak'])[1 + i % 6] AS l) n;
ANALYZE;
"""


def test_json_in_bytea_is_masked_path_by_path(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, KRATOS)
    rule = rule_of(text, "public.courier_messages", "template_data")
    assert rule["strategy"] == "jsonb" and "others" not in rule
    assert {"to", "identity.traits.email", "identity.traits.phone"} <= set(rule["paths"])
    note = comment_of(text, "public.courier_messages", "template_data")
    assert "300 of 300 sampled values are UTF-8 JSON documents kept as bytea" in note
    assert rule_of(text, "public.courier_messages", "reply") == "null"  # free text
    # a token kept as ASCII bytes: hashed, as by its name alone before (bytes of a digest)
    assert rule_of(text, "public.courier_messages", "api_token") == "hash"
    for column in ("settings", "payload", "thumbnail"):
        assert rule_of(text, "public.courier_messages", column) == "keep", column
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE convert_from(template_data, 'UTF8')::jsonb"
            "   #>> '{identity,traits,phone}' NOT LIKE '+49 171 %'),"
            " count(*) FILTER (WHERE position('@mail.example' in"
            "   encode(template_data, 'escape')) > 0) FROM courier_messages"
        ).fetchone()
    assert row == (300, 0)  # every document still parses, its paths masked
