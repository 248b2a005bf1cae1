"""JSON paths holding an application's settings are no personal data, whatever their
key: Mattermost's users.notifyprops {"email": "true", "first_name": "false",
"comments": "never"} got an address, a first name and lorem, and
channelmembers.notifyprops.email ('default') an address; the application broke."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, notifyprops jsonb, props text);
INSERT INTO users SELECT i, jsonb_build_object('email', CASE WHEN i % 3 = 0 THEN 'false'
    ELSE 'true' END, 'first_name', 'false', 'comments', (ARRAY['never', 'root', 'any'])[1 + i % 3],
    'desktop', 'mention', 'contact_email', 'user' || i || '@corp.example'),
  json_build_object('push', 'all', 'email', 'default', 'nickname', 'Ann ' || i)::text
  FROM generate_series(1, 40) i;
CREATE TABLE channelmembers (id int PRIMARY KEY, notifyprops jsonb);
INSERT INTO channelmembers SELECT i, jsonb_build_object('email', 'default', 'push', 'default',
    'desktop', 'default', 'mark_unread', 'all') FROM generate_series(1, 40) i;
"""


def test_settings_in_json_documents_are_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    users = rule_of(text, "public.users", "notifyprops")
    assert users == {"strategy": "jsonb", "paths": {"contact_email": "email"}}, users
    assert rule_of(text, "public.channelmembers", "notifyprops") == "keep"
    assert "flags or settings, not what their key names: comments, email, first_name" in (
        comment_of(text, "public.users", "notifyprops")
    )
    # JSON in a text column: the nickname masked, the 'default' under `email` kept
    assert rule_of(text, "public.users", "props")["paths"] == {
        "nickname": {"strategy": "hash", "prefix": "u"}
    }
    with psycopg.connect(dsn) as conn:
        settings = conn.execute(
            "SELECT DISTINCT notifyprops->>'email', notifyprops->>'first_name',"
            " notifyprops->>'comments' FROM users ORDER BY 1, 2, 3"
        ).fetchall()
        leaked = conn.execute(
            "SELECT count(*) FROM users WHERE notifyprops->>'contact_email' LIKE '%corp.example'"
        ).fetchone()
    assert settings == [
        ("false", "false", "never"),
        ("true", "false", "any"),
        ("true", "false", "root"),
    ]
    assert leaked == (0,)
