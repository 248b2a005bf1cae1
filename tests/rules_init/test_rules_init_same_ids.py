"""One user's ident in two tables masked two ways: Sentry's `sentry_eventuser.ident`
(under a unique key) got `hash`, `tagstore_eventuser.ident` (none) `lorem`, and the
tables no longer joined on it. Masked identifying columns sharing their values now get
one rule; a column of addresses, which some idents are, keeps its own."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, strategy_of

IDENTS = """CASE WHEN i % 3 = 0 THEN (200000 + i * 7)::text
    WHEN i % 3 = 1 THEN md5(i::text)::uuid::text
    ELSE 'user' || i || '@mail.example' END"""
SCHEMA = f"""
CREATE TABLE sentry_eventuser (id serial PRIMARY KEY, project_id int NOT NULL,
  ident varchar(128), email varchar(75), UNIQUE (project_id, ident));
INSERT INTO sentry_eventuser (project_id, ident, email)
  SELECT 1, {IDENTS}, 'user' || i || '@mail.example' FROM generate_series(1, 300) i;
CREATE TABLE tagstore_eventuser (id serial PRIMARY KEY, project_id int NOT NULL,
  ident varchar(128), email varchar(75));
INSERT INTO tagstore_eventuser (project_id, ident, email)
  SELECT project_id, ident, email FROM sentry_eventuser;
ANALYZE;
"""


def test_masked_columns_sharing_identifiers_get_one_rule(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = strategy_of(text, "public.sentry_eventuser", "ident")
    assert rule == "hash", text
    assert strategy_of(text, "public.tagstore_eventuser", "ident") == rule, text
    assert strategy_of(text, "public.tagstore_eventuser", "email") == "email", text
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            """SELECT count(*) FROM sentry_eventuser s
               JOIN tagstore_eventuser t ON t.id = s.id AND t.ident = s.ident"""
        ).fetchone()
    assert joined == (300,)
