"""A record's id in a URL's path is no secret: Formbricks' Response.meta.url
'https://forms.example.org/s/<cuid>?email=...' was read as a capability link (the
cuid a random token) and hashed whole to 32 hex, no URL any more. cuids and cuid2s are
ids now, as UUIDs were: the URL stays, its personal query values masked; a long random
token still makes a capability link."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import url_tokens

from .helpers import generate_then_mask, rule_of, strategy_of

CUID = "caeb42429baeb44d89a9ff878"
SCHEMA = f"""
CREATE TABLE "Response" (id text PRIMARY KEY, meta jsonb NOT NULL DEFAULT '{{}}');
INSERT INTO "Response" SELECT 'resp' || g, jsonb_build_object(
  'url', 'https://forms.example.org/s/{CUID}?email=lead' || g || '@mail.example.net',
  'country', 'US') FROM generate_series(1, 40) g;
CREATE TABLE "Display" (id text PRIMARY KEY, page text);
INSERT INTO "Display" SELECT 'd' || g,
  'https://forms.example.org/s/' || (ARRAY['{CUID}', 'clq8x2k4p0000abcdwxyz1234',
  'tz4a98xxat96iws9zmbrgj3a'])[1 + g % 3] FROM generate_series(1, 30) g;
"""


def test_cuids_are_no_tokens() -> None:
    assert not url_tokens.is_capability_url(f"https://forms.example.org/s/{CUID}")
    assert not url_tokens.is_capability_url("https://x.example/s/tz4a98xxat96iws9zmbrgj3a")
    assert url_tokens.is_capability_url("https://x.example/s/" + "a1b2c3d4e5" * 4)


def test_survey_links_stay_urls(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.Response", "meta")["paths"]["url"] == "url_query", text
    assert strategy_of(text, "public.Display", "page") == "keep", text
    with psycopg.connect(dsn) as conn:
        urls = [r[0] for r in conn.execute("""SELECT meta->>'url' FROM "Response" """)]
    assert len(urls) == 40
    for url in urls:
        assert url.startswith(f"https://forms.example.org/s/{CUID}?email="), url
        assert "lead" not in url and "mail.example.net" not in url, url
