"""Sentry's `sentry_filtervalue.value` holds the `sentry:user` tag as 'id:<ident>',
'email:<address>' or 'ip:<address>', and Sentry parses the label. The key/value switch
gave the case `hash`: the label was lost and the rest no longer matched the masked
`sentry_eventuser.ident` or `email`. Now the case keeps the label and masks the rest
like the bare column; a key of 'word:' labels that name nobody is left alone."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

IDENTS = """CASE WHEN i % 3 = 0 THEN (200000 + i * 7)::text
    WHEN i % 3 = 1 THEN md5(i::text)::uuid::text
    ELSE 'user' || i || '@mail.example' END"""
SCHEMA = f"""
CREATE TABLE auth_user (id serial PRIMARY KEY, email varchar(75) UNIQUE NOT NULL);
INSERT INTO auth_user (email) SELECT 'staff' || i || '@corp.example' FROM generate_series(1, 20) i;
CREATE TABLE sentry_eventuser (id serial PRIMARY KEY, project_id int NOT NULL,
  ident varchar(128), email varchar(75), ip_address inet, UNIQUE (project_id, ident));
INSERT INTO sentry_eventuser (project_id, ident, email, ip_address)
  SELECT 1, {IDENTS}, 'user' || i || '@mail.example',
    ('10.1.' || (i / 200) || '.' || (i % 200))::inet
  FROM generate_series(1, 300) i;
CREATE TABLE sentry_filtervalue (id bigserial PRIMARY KEY, project_id bigint,
  key varchar(32) NOT NULL, value varchar(200) NOT NULL, times_seen int NOT NULL,
  last_seen timestamptz, first_seen timestamptz, data text, UNIQUE (project_id, key, value));
INSERT INTO sentry_filtervalue (project_id, key, value, times_seen)
  SELECT 1, 'sentry:user', CASE WHEN i % 4 = 0 THEN 'email:' || email
    WHEN i % 4 = 1 THEN 'ip:' || host(ip_address) ELSE 'id:' || ident END, 1
  FROM (SELECT id AS i, * FROM sentry_eventuser) e;
INSERT INTO sentry_filtervalue (project_id, key, value, times_seen)
  SELECT 1, 'sentry:release', 'release:' || 'v' || i, 1 FROM generate_series(1, 40) i;
ANALYZE;
"""


def test_labelled_ids_keep_their_label_and_match_the_bare_column(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.sentry_eventuser", "ident") == "hash", text
    rule = rule_of(text, "public.sentry_filtervalue", "value")
    assert rule["strategy"] == "switch", text
    case = rule["cases"]["sentry:user"]
    assert case["strategy"] == "prefixed", text
    assert set(case["cases"]) == {"id:", "email:", "ip:"}, text
    assert "sentry:release" not in rule["cases"] or rule["cases"]["sentry:release"] == "keep"
    with psycopg.connect(dsn) as conn:
        found = conn.execute(
            """SELECT (SELECT count(*) FROM sentry_eventuser e JOIN sentry_filtervalue f
                       ON f.value = 'id:' || e.ident),
                      (SELECT count(*) FROM sentry_eventuser e JOIN sentry_filtervalue f
                       ON f.value = 'email:' || e.email),
                      (SELECT count(*) FROM sentry_filtervalue
                       WHERE value LIKE 'ip:%' AND value NOT LIKE 'ip:10.1.%'),
                      (SELECT count(*) FROM sentry_eventuser WHERE email LIKE '%@mail.example')"""
        ).fetchone()
    assert found == (150, 75, 75, 0), found
