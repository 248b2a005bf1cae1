"""Web-session stores: Moodle's mdl_sessions.sessdata got lorem (PHP's session decoder
fails on it) and Django's django_session.session_data a hash; such a table is proposed
`truncate` now, with a note. A table of (training) sessions with no session id or data
column, or one other tables refer to, keeps its column rules."""

from __future__ import annotations

from pathlib import Path

import psycopg
import yaml

from .helpers import generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE mdl_sessions (id bigserial PRIMARY KEY, state bigint NOT NULL DEFAULT 0,
  sid varchar(128) NOT NULL DEFAULT '', userid bigint NOT NULL, sessdata text,
  timecreated bigint NOT NULL, timemodified bigint NOT NULL, firstip varchar(45),
  lastip varchar(45));
CREATE UNIQUE INDEX mdl_sess_sid_uix ON mdl_sessions (sid);
INSERT INTO mdl_sessions (sid, userid, sessdata, timecreated, timemodified, firstip, lastip)
  SELECT md5(g::text), g, 'USER|O:8:"stdClass":2:{s:2:"id";i:' || g || ';s:5:"email";s:'
  || length('u' || g || '@gmail.com') || ':"u' || g || '@gmail.com";}', 1700000000,
  1700000100, '10.0.0.' || g, '10.0.0.' || g FROM generate_series(1, 120) g;
CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY,
  session_data text NOT NULL, expire_date timestamptz NOT NULL);
INSERT INTO django_session SELECT md5(g::text), 'e30=:1qZ' || md5(g::text || 'x'), now()
  FROM generate_series(1, 60) g;
-- not session stores: a course's sessions (no session id), a store others refer to
CREATE TABLE training_sessions (id bigserial PRIMARY KEY, title text, data text);
INSERT INTO training_sessions (title, data) SELECT 'Week ' || g, 'room ' || g
  FROM generate_series(1, 60) g;
CREATE TABLE sessions (id varchar(64) PRIMARY KEY, data text, email text);
INSERT INTO sessions SELECT md5('s' || g), 'x', 'u' || g || '@gmail.com'
  FROM generate_series(1, 60) g;
CREATE TABLE visits (id serial PRIMARY KEY, session_id varchar(64) REFERENCES sessions);
INSERT INTO visits (session_id) SELECT id FROM sessions;
"""


def test_session_stores_are_truncated(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    tables = yaml.safe_load(text)["tables"]
    assert tables["public.mdl_sessions"] == "truncate"
    assert tables["public.django_session"] == "truncate"
    line = next(t for t in text.splitlines() if t.startswith("  public.mdl_sessions:"))
    assert "a web-session store (sid, sessdata" in line
    assert strategy_of(text, "public.training_sessions", "title") == "keep"
    assert strategy_of(text, "public.sessions", "email") == "email"
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM mdl_sessions), (SELECT count(*) FROM django_session),"
            " (SELECT count(*) FROM training_sessions), (SELECT count(*) FROM sessions)"
        ).fetchone()
    assert counts == (0, 0, 60, 60)
