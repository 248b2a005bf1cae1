"""One-time keys that are not hex: LimeSurvey's lime_users.validation_key (a 38-character
password-reset key of random letters, digits or base64) was kept, the hex rule missing
it. A one-time key's name (`validation_key`, `reset_token`) over random tokens is a
credential now; other `*_key` columns and non-random values stay kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import hex_keys

from .helpers import generate_then_mask, strategy_of


def test_random_one_time_tokens_are_credentials() -> None:
    tokens = [f"q7Zk{i:03d}Xp/Lm+Rt9Wc2Vb8Nh4Jd6Fs1Ga" for i in range(20)]
    assert hex_keys.reason("validation_key", tokens) is not None
    assert hex_keys.reason("activation_code", tokens) is not None
    assert hex_keys.reason("sort_key", tokens) is None  # no one-time word
    assert hex_keys.reason("validation_key_expiration", tokens) is None
    assert hex_keys.reason("validation_key", ["RequiredFieldValidator"] * 20) is None
    rules = [f"RULE_{i}_REQUIRED_FIELD" for i in range(20)]
    assert hex_keys.reason("validation_code", rules) is None


SCHEMA = """
CREATE TABLE lime_users (uid serial PRIMARY KEY, users_name varchar(64) UNIQUE NOT NULL,
  validation_key varchar(38), validation_key_expiration timestamp, sort_key varchar(38));
INSERT INTO lime_users (users_name, validation_key, sort_key)
  SELECT 'editor' || g, CASE WHEN g % 2 = 0
    THEN substr(encode(sha256(('k' || g)::bytea), 'base64'), 1, 38) END,
    substr(encode(sha256(('s' || g)::bytea), 'base64'), 1, 38)
  FROM generate_series(1, 40) g;
CREATE TABLE form_rules (id serial PRIMARY KEY, validation_code text);
INSERT INTO form_rules (validation_code)
  SELECT (ARRAY['required', 'email_format', 'max_length_255'])[1 + g % 3]
  FROM generate_series(1, 30) g;
"""


def test_base64_validation_keys_are_hashed(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.lime_users", "validation_key") == "hash", text
    assert strategy_of(text, "public.lime_users", "sort_key") == "keep", text
    assert strategy_of(text, "public.form_rules", "validation_code") == "keep", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE validation_key
                        = substr(encode(sha256(('k' || uid)::bytea), 'base64'), 1, 38)),
                      count(validation_key),
                      count(*) FILTER (WHERE sort_key
                        = substr(encode(sha256(('s' || uid)::bytea), 'base64'), 1, 38))
               FROM lime_users"""
        ).fetchone()
    assert row == (0, 20, 40)


TEMPLATES = """
CREATE TABLE message_templates (id serial PRIMARY KEY, reset_key text, recovery_key text);
INSERT INTO message_templates (reset_key, recovery_key)
  SELECT (ARRAY['auth', 'mail', 'sms', 'web'])[1 + g % 4] || '.reset.'
      || (ARRAY['subject', 'body', 'title'])[1 + g % 3] || '_v' || g,
    (ARRAY['auth', 'mail', 'sms', 'web'])[1 + g % 4] || '.recovery.'
      || (ARRAY['subject', 'body', 'title'])[1 + g % 3] || '_v' || g
  FROM generate_series(1, 60) g;
"""


def test_template_ids_of_words_are_no_one_time_keys(make_db, tmp_path: Path) -> None:
    """'mail.reset.subject_v12' under reset_key is a template's id: words joined by
    '.', '_', '-', digits at a word's end. Hashing it broke every template lookup."""
    assert hex_keys.words_joined("mail.reset.subject_v12")
    assert not hex_keys.words_joined("q7Zk001Xp/Lm+Rt9Wc2Vb8Nh4Jd6Fs1Ga")
    assert not hex_keys.words_joined("Xk9_pQ2mZ-7vRt3LwN8c")  # URL-safe base64
    dsn, text = generate_then_mask(make_db, tmp_path, TEMPLATES)
    assert strategy_of(text, "public.message_templates", "reset_key") == "keep", text
    assert strategy_of(text, "public.message_templates", "recovery_key") == "keep", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT reset_key, recovery_key FROM message_templates WHERE id = 12"
        ).fetchone()
    assert row == ("auth.reset.subject_v12", "auth.recovery.subject_v12")
