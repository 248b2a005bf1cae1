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


# Chatwoot's conversations.additional_attributes: `mail_subject` names an email address,
# its values are subjects naming the customer; `subject` of the same values got lorem
FIRST = "ARRAY['Anna','John','Maria','Pierre','Luca','Sophie','Jan','Eva']"
LAST = "ARRAY['Schmidt','Smith','Garcia','Dubois','Rossi','Martin','Jansen','Novak','Weber']"
SUBJECTS = f"""
CREATE TABLE conversations (id int PRIMARY KEY, additional_attributes jsonb);
INSERT INTO conversations SELECT g, jsonb_build_object('mail_subject', 'Order problem - '
    || ({FIRST})[1 + g % 8] || ' ' || ({LAST})[1 + (g / 8) % 9], 'source', 'email',
    'subject', (ARRAY['Order problem', 'Refund request', 'Invoice missing'])[1 + g % 3])
  FROM generate_series(1, 120) g;
"""


def test_a_key_whose_values_deny_its_name_is_judged_by_its_values(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SUBJECTS)
    rule = rule_of(text, "public.conversations", "additional_attributes")
    # the subjects naming people masked; the ones naming no one kept, as before
    assert rule == {"strategy": "jsonb", "paths": {"mail_subject": "lorem"}}, text
    assert "flags or settings" not in comment_of(
        text, "public.conversations", "additional_attributes"
    )
    with psycopg.connect(dsn) as conn:
        leaked, kept = conn.execute(
            "SELECT count(*) FILTER (WHERE additional_attributes->>'mail_subject' ~"
            " 'Schmidt|Smith|Garcia|Rossi|Weber'), count(*) FILTER (WHERE"
            " additional_attributes->>'subject' IN ('Order problem', 'Refund request',"
            " 'Invoice missing')) FROM conversations"
        ).fetchone()
    assert (leaked, kept) == (0, 120)
