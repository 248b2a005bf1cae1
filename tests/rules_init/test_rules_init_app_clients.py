"""Name-only guesses on things no person is: Akkoma's `apps.client_name` ('Tusky',
'Elk', 'Ivory': OAuth client applications) got `full_name`, Misskey's
`user_profile."emailVerifyCode"` (a random code, empty in the sample) got `email`.
The client's name is kept in a table of applications, and a code or token a
confirmation mail carries is a secret."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import pii

from .helpers import comment_of, generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE apps (id bigserial PRIMARY KEY, client_name varchar(255),
  redirect_uris varchar(255), client_id varchar(255), client_secret varchar(255));
INSERT INTO apps (client_name, redirect_uris, client_id, client_secret)
  SELECT (ARRAY['Tusky', 'Elk', 'Ivory', 'Ice Cubes', 'Mona', 'Phanpy'])[1 + g % 6],
    'https://app' || g || '.example/callback', md5('i' || g), md5('s' || g)
  FROM generate_series(1, 60) g;
CREATE TABLE user_profile (id serial PRIMARY KEY, email varchar(128),
  "emailVerifyCode" varchar(128), "emailVerified" boolean);
INSERT INTO user_profile (email, "emailVerifyCode", "emailVerified")
  SELECT 'person' || g || '@mail.example', CASE WHEN g % 4 = 0 THEN md5('v' || g) END,
    g % 4 <> 0
  FROM generate_series(1, 100) g;
CREATE TABLE client_users (id serial PRIMARY KEY, client_name text);
INSERT INTO client_users (client_name)
  SELECT (ARRAY['Anna Schmidt', 'Paul Martin', 'Marie Silva', 'Jonas Weber'])[1 + g % 4]
  FROM generate_series(1, 60) g;
ANALYZE;
"""


@pytest.mark.parametrize(
    "column",
    ["emailVerifyCode", "email_verification_token", "email_confirm_code", "mail_reset_token"],
)
def test_codes_a_confirmation_mail_carries_are_secrets(column: str) -> None:
    found = pii.match_name(column, "public.user_profile")
    assert found is not None and found.kind == "secret", column


@pytest.mark.parametrize("column", ["email", "email_address", "backup_email"])
def test_addresses_stay_addresses(column: str) -> None:
    found = pii.match_name(column, "public.user_profile")
    assert found is not None and found.kind == "email", column


def test_app_client_names_kept_and_email_codes_hashed(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.apps", "client_name") == "keep", comment_of(
        text, "public.apps", "client_name"
    )
    assert strategy_of(text, "public.user_profile", "emailVerifyCode") == "hash", text
    assert strategy_of(text, "public.user_profile", "email") == "email", text
    # a table about people with a client_name: still a person's name
    assert strategy_of(text, "public.client_users", "client_name") == "full_name", text
    with psycopg.connect(dsn) as conn:
        names = conn.execute("SELECT DISTINCT client_name FROM apps ORDER BY 1").fetchall()
        codes = conn.execute(
            "SELECT count(*) FILTER (WHERE \"emailVerifyCode\" = md5('v' || id)),"
            " count(*) FILTER (WHERE \"emailVerifyCode\" LIKE '%@%'),"
            ' count("emailVerifyCode") FROM user_profile'
        ).fetchone()
    assert [n for (n,) in names] == ["Elk", "Ice Cubes", "Ivory", "Mona", "Phanpy", "Tusky"]
    assert codes == (0, 0, 25)
