"""A uuid column referencing another table's kept key without a foreign key: Umami's
`session_data.session_id` got `uuid` because its table's name says "session" (its
ids taken for secrets) while `session.session_id`, the key, was kept; afterwards 0 of
200 rows joined their session. Now the reference is kept like the key, with a note; a
session token that references nothing is still masked."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE session (session_id uuid PRIMARY KEY, city varchar(50));
CREATE TABLE session_data (session_data_id uuid PRIMARY KEY, session_id uuid NOT NULL,
  data_key varchar(500) NOT NULL, string_value varchar(500));
INSERT INTO session SELECT gen_random_uuid(), 'Berlin' FROM generate_series(1, 200);
INSERT INTO session_data SELECT gen_random_uuid(), session_id, 'plan', 'pro' FROM session;
CREATE TABLE user_sessions (id serial PRIMARY KEY, session_id uuid NOT NULL);
INSERT INTO user_sessions (session_id) SELECT gen_random_uuid() FROM generate_series(1, 50);
ANALYZE;
"""


def test_a_uuid_referencing_a_kept_key_is_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.session_data", "session_id") == "keep", text
    assert "found in public.session.session_id" in comment_of(
        text, "public.session_data", "session_id"
    )
    # a session's own token, found in no key, is still a secret
    assert strategy_of(text, "public.user_sessions", "session_id") == "uuid", text
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            "SELECT count(*) FROM session_data d JOIN session s USING (session_id)"
        ).fetchone()
    assert joined == (200,)
