"""Web-session stores: Moodle's mdl_sessions.sessdata got lorem (PHP's session decoder
fails on it) and Django's django_session.session_data a hash; such a table is proposed
`truncate` now, with a note. A table of (training) sessions with no session id or data
column, or one other tables refer to, keeps its column rules; so does one whose data
is no serialized session state (a schedule in JSON, chat transcripts), and an empty one
with no expiry column."""

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
-- Laravel's sessions: base64 of PHP's serialize()
CREATE TABLE http_sessions (id varchar(255) PRIMARY KEY, user_id bigint, payload text,
  last_activity int);
INSERT INTO http_sessions SELECT md5('h' || g), g,
  encode(convert_to('a:2:{s:6:"_token";s:32:"' || md5(g::text) || '";s:4:"user";i:' || g
  || ';}', 'UTF8'), 'base64'), 1700000000 FROM generate_series(1, 40) g;
-- named like stores, holding application data: a gym's classes (others join them by
-- value, no FK), chat transcripts, a conference's talks; an empty one with no expiry
CREATE TABLE class_sessions (id text PRIMARY KEY, title text, data jsonb);
INSERT INTO class_sessions SELECT 'S-2025-' || lpad(g::text, 5, '0'), 'Spin #' || g,
  '{"slots": [{"day": "tue", "from": "18:00", "to": "19:00"}], "capacity": 17}'
  FROM generate_series(1, 60) g;
CREATE TABLE bookings (id serial PRIMARY KEY, session_id text);
INSERT INTO bookings (session_id) SELECT id FROM class_sessions;
CREATE TABLE chat_sessions (id text PRIMARY KEY, data jsonb);
INSERT INTO chat_sessions SELECT 'cs_' || md5(g::text), jsonb_build_object('messages',
  jsonb_build_array(jsonb_build_object('from', 'bot', 'text', 'How can I help?')))
  FROM generate_series(1, 60) g;
CREATE TABLE conference_sessions (session_id text PRIMARY KEY, title text, payload text);
INSERT INTO conference_sessions SELECT 'talk-' || g, 'Talk ' || g,
  '{"room":"Hall ' || (g % 4) || '","slot":"' || (9 + g % 8) || ':00"}'
  FROM generate_series(1, 60) g;
CREATE TABLE app_sessions (id text PRIMARY KEY, data text);
"""


def test_session_stores_are_truncated(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    tables = yaml.safe_load(text)["tables"]
    assert tables["public.mdl_sessions"] == "truncate"
    assert tables["public.django_session"] == "truncate"
    assert tables["public.http_sessions"] == "truncate"
    for kept in ("class_sessions", "chat_sessions", "conference_sessions", "app_sessions"):
        assert tables[f"public.{kept}"] != "truncate", kept
    line = next(t for t in text.splitlines() if t.startswith("  public.mdl_sessions:"))
    assert "a web-session store (sid, sessdata" in line
    assert strategy_of(text, "public.training_sessions", "title") == "keep"
    assert strategy_of(text, "public.sessions", "email") == "email"
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM mdl_sessions), (SELECT count(*) FROM django_session),"
            " (SELECT count(*) FROM training_sessions), (SELECT count(*) FROM sessions),"
            " (SELECT count(*) FROM class_sessions), (SELECT count(*) FROM chat_sessions),"
            " (SELECT count(*) FROM conference_sessions), (SELECT count(*) FROM http_sessions)"
        ).fetchone()
    assert counts == (0, 0, 60, 60, 60, 60, 60, 0)
