"""forms: each value masked by its form (address, account number, phone number), end to
end: forms kept apart, one account id masked alike in a column, a 'google:<id>'
identifier and a JSON path, values of no listed form kept (a UUID), verify clean."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE identities (id int PRIMARY KEY, provider text NOT NULL,
  provider_id text NOT NULL, data jsonb, UNIQUE (provider_id, provider));
CREATE TABLE identifiers (id int PRIMARY KEY, identifier varchar(255) UNIQUE NOT NULL,
  aliases text[]);
INSERT INTO identities SELECT i, CASE WHEN i % 4 = 0 THEN 'email' ELSE 'google' END,
  CASE WHEN i % 4 = 0 THEN md5(i::text)::uuid::text
    ELSE (100000000000000000000::numeric + i * 7919)::text END, NULL
  FROM generate_series(1, 200) i;
UPDATE identities SET data = jsonb_build_object('sub', provider_id);
INSERT INTO identifiers SELECT id, CASE provider WHEN 'google' THEN 'google:' || provider_id
    ELSE 'user' || id || '@mail.example' END, ARRAY['+49 171 ' || (1000000 + id), 'kit' || id]
  FROM identities;
INSERT INTO identifiers VALUES (1000, 'kit_the_login', NULL);
"""
RULES = """version: 1
tables:
  public.identities:
    columns:
      id: keep
      provider: keep
      provider_id: {strategy: forms, cases: {number: {strategy: digits, unique: true}}}
      data:
        strategy: jsonb
        paths: {sub: {strategy: forms, cases: {number: {strategy: digits, unique: true}}}}
  public.identifiers:
    columns:
      id: keep
      identifier:
        strategy: forms
        cases:
          email: {strategy: email, unique: true}
          number: {strategy: digits, unique: true}
        default: hash
      aliases: {strategy: forms, cases: {phone: phone}, default: {strategy: hash, length: 16}}
"""


def test_each_value_masked_by_its_form_and_ids_alike(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "forms.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        ids = conn.execute(
            """SELECT count(*) FILTER (WHERE provider_id = md5(id::text)::uuid::text),
                count(*) FILTER (WHERE provider = 'google' AND provider_id ~ '^[0-9]{21}$'
                  AND provider_id <> (100000000000000000000::numeric + id * 7919)::text),
                count(*) FILTER (WHERE data->>'sub' = provider_id)
            FROM identities"""
        ).fetchone()
        assert ids == (50, 150, 200)  # UUIDs kept; numbers masked, 21 digits; JSON alike
        found = conn.execute(
            """SELECT count(*) FILTER (WHERE n.identifier = 'google:' || i.provider_id),
                count(*) FILTER (WHERE n.identifier ~ '@example\\.com$'),
                count(*) FILTER (WHERE n.identifier LIKE '%@mail.example'
                  OR n.identifier LIKE 'kit%'),
                count(*) FILTER (WHERE n.aliases[1] ~ '^\\+49 [0-9]{3} [0-9]{7}$'
                  AND n.aliases[1] <> '+49 171 ' || (1000000 + n.id)),
                count(*) FILTER (WHERE n.aliases[2] ~ '^[0-9a-f]{16}$')
            FROM identifiers n LEFT JOIN identities i USING (id)"""
        ).fetchone()
        # 'google:<id>' agrees with the masked provider_id; addresses are addresses; the
        # login of no listed form hashed; array elements each by their own form
        assert found == (150, 50, 0, 200, 200)


VISITORS = """
CREATE TABLE visitors (id int PRIMARY KEY, distinct_id text UNIQUE NOT NULL);
INSERT INTO visitors SELECT i, CASE i % 3 WHEN 0 THEN 'user' || i || '@mail.example'
    WHEN 1 THEN md5(i::text)::uuid::text ELSE 'kit' || i END
  FROM generate_series(1, 300) i;
"""
VISITOR_RULES = """version: 1
tables:
  public.visitors:
    columns:
      id: keep
      distinct_id:
        strategy: forms
        cases: {email: {strategy: email, unique: true}, uuid: keep}
        default: {strategy: hash, prefix: u}
"""


def test_uuid_case_keeps_anonymous_ids_and_masks_the_rest(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, VISITORS, VISITOR_RULES, "visitors.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE distinct_id = md5(id::text)::uuid::text),
                count(*) FILTER (WHERE distinct_id LIKE '%@%'
                  AND distinct_id <> 'user' || id || '@mail.example'),
                count(*) FILTER (WHERE distinct_id LIKE 'u%' AND distinct_id <> 'kit' || id),
                count(DISTINCT distinct_id)
            FROM visitors"""
        ).fetchone()
        assert row == (100, 100, 100, 300)  # UUIDs kept, addresses and usernames masked
