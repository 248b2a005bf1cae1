"""prefixed: Sentry's `sentry_filtervalue.value` 'id:<ident>' / 'email:<address>' keeps
its prefix (Sentry parses it) and masks the rest exactly as the bare
`sentry_eventuser.ident` and `email` columns are masked, end to end, verify clean."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE sentry_eventuser (id int PRIMARY KEY, ident varchar(128) UNIQUE,
  email varchar(75));
INSERT INTO sentry_eventuser SELECT i, CASE WHEN i % 3 = 0 THEN (200000 + i)::text
    WHEN i % 3 = 1 THEN md5(i::text)::uuid::text ELSE 'user' || i || '@mail.example' END,
    'user' || i || '@mail.example'
  FROM generate_series(1, 90) i;
CREATE TABLE sentry_filtervalue (id serial PRIMARY KEY, key varchar(32) NOT NULL,
  value varchar(200) NOT NULL, UNIQUE (key, value));
INSERT INTO sentry_filtervalue (key, value)
  SELECT 'sentry:user', 'id:' || ident FROM sentry_eventuser
  UNION ALL SELECT 'sentry:user', 'email:' || email FROM sentry_eventuser
  UNION ALL SELECT 'sentry:user', 'ip:10.0.0.' || i FROM generate_series(1, 20) i
  UNION ALL SELECT 'sentry:user', 'legacy-' || i FROM generate_series(1, 5) i;
"""
RULES = """version: 1
tables:
  public.sentry_eventuser:
    columns:
      id: keep
      ident: {strategy: hash, unique: true}
      email: {strategy: email, unique: true}
  public.sentry_filtervalue:
    columns:
      id: keep
      key: keep
      value:
        strategy: prefixed
        cases:
          'id:': hash
          'email:': {strategy: email, unique: true}
          'ip:': {strategy: ip, unique: true}
        default: hash
"""


def test_a_prefix_is_kept_and_the_rest_masked_like_the_bare_column(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "prefixed.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        found = conn.execute(
            """SELECT (SELECT count(*) FROM sentry_eventuser u
                       JOIN sentry_filtervalue f ON f.value = 'id:' || u.ident),
                      (SELECT count(*) FROM sentry_eventuser u
                       JOIN sentry_filtervalue f ON f.value = 'email:' || u.email),
                      (SELECT count(*) FROM sentry_filtervalue
                       WHERE value ~ '^ip:[0-9.]+$' AND value !~ '^ip:10\\.0\\.0\\.'),
                      (SELECT count(*) FROM sentry_filtervalue WHERE value ~ '^[0-9a-f]{32}$'),
                      (SELECT count(*) FROM sentry_eventuser WHERE email LIKE '%@mail.example')"""
        ).fetchone()
    # every id and address still matches its event user; IPs stay IPs; the rest hashed
    assert found == (90, 90, 20, 5, 0)
