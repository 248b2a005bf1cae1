"""jsonb columns `rules init` masked too little: a path tied to the array position the
sample met, a credential named by its column kept whole, phone numbers under a key
naming nothing. Each is generated, masked and queried on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import run_cli

from .helpers import comment_of, generate_and_compile, rule_of

CALCOM = """
CREATE TABLE "EventType" (id serial PRIMARY KEY, title text NOT NULL, locations jsonb);
INSERT INTO "EventType" (title, locations)
SELECT 'Meeting ' || i,
       jsonb_build_array(jsonb_build_object('type', 'integrations:zoom'),
                         jsonb_build_object('type', 'phone', 'hostPhoneNumber',
                                            '+1 415 555 ' || lpad(i::text, 4, '0')))
  FROM generate_series(1, 300) i;
CREATE TABLE documents (id serial PRIMARY KEY, content jsonb NOT NULL);
INSERT INTO documents (content)
SELECT jsonb_build_object('type', 'doc', 'content', jsonb_build_array(
         jsonb_build_object('type', 'paragraph', 'content', jsonb_build_array(
           jsonb_build_object('type', 'text', 'text', 'Agenda'),
           jsonb_build_object('type', 'text', 'text',
             'Call back on +49 171 555' || lpad(i::text, 4, '0') || ' about the invoice')))))
  FROM generate_series(1, 300) i;
"""


def test_an_array_position_the_sample_met_names_every_element(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cal.com's phone location came second in every sampled row: `1.hostPhoneNumber`
    kept the number of a later event whose phone location came first. An array of
    objects collapses to `*` whichever position the sample met (Outline's ProseMirror
    text nodes too)."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(CALCOM)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert rule_of(text, "public.EventType", "locations") == {
        "strategy": "jsonb",
        "paths": {"*.hostPhoneNumber": "phone"},
    }
    assert rule_of(text, "public.documents", "content")["paths"] == {
        "content.*.content.*.text": "lorem"
    }
    late = "+1 212 555 0199"
    with psycopg.connect(dsn) as conn:
        conn.execute(
            """INSERT INTO "EventType" (title, locations) VALUES ('Late', %s),
               ('Later', %s)""",
            (
                json.dumps([{"type": "phone", "hostPhoneNumber": late}]),
                json.dumps([{"type": "zoom"}, {"type": "x"}, {"hostPhoneNumber": late}]),
            ),
        )
        conn.execute(
            "INSERT INTO documents (content) VALUES (%s)",
            (json.dumps({"content": [{"content": [{"text": f"Ring {late}"}]}]}),),
        )
    rules = tmp_path / "rules.yaml"
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="positions", progress=False)
    with psycopg.connect(dsn) as conn:
        dumped = [
            json.dumps(r[0])
            for r in conn.execute(
                'SELECT locations FROM "EventType" UNION ALL SELECT content FROM documents'
            )
        ]
    assert not [d for d in dumped if "555 0199" in d or "+1 415 555" in d or "+49 171" in d]
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "positions").code == 0


CREDENTIALS = """
CREATE TABLE "Credential" (id serial PRIMARY KEY, type text NOT NULL, key jsonb NOT NULL);
INSERT INTO "Credential" (type, key)
SELECT 'google_calendar',
       jsonb_build_object('access_token', 'ya29.' || md5(i::text) || md5((i + 1)::text),
                          'refresh_token', '1//0' || md5((i * 7)::text),
                          'scope', 'https://www.googleapis.com/auth/calendar.events',
                          'token_type', 'Bearer', 'expiry_date', 1700000000000)
  FROM generate_series(1, 300) i;
CREATE TABLE api_tokens (id serial PRIMARY KEY, data jsonb);
INSERT INTO api_tokens (data) SELECT key FROM "Credential";
"""


def test_a_credential_table_key_gets_its_paths_masked(make_db, tmp_path: Path) -> None:
    """`key` in a table of credentials named a secret, which no strategy fits in jsonb:
    kept whole with every access and refresh token (or emptied, when nullable). Its
    documents' paths are masked, as in a table with any other name."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(CREDENTIALS)
    text, _ = generate_and_compile(dsn, tmp_path)
    expected = {"strategy": "jsonb", "paths": {"access_token": "hash", "refresh_token": "hash"}}
    assert rule_of(text, "public.Credential", "key") == expected
    assert rule_of(text, "public.api_tokens", "data") == expected
    assert "`key` in a table of tokens, sessions" in comment_of(text, "public.Credential", "key")
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="creds", progress=False)
    with psycopg.connect(dsn) as conn:
        rows = conn.execute('SELECT key FROM "Credential" UNION ALL SELECT data FROM api_tokens')
        docs = [r[0] for r in rows]
    assert not [d for d in docs if d["access_token"].startswith("ya29.")]
    assert {(d["token_type"], d["expiry_date"]) for d in docs} == {("Bearer", 1700000000000)}


TWENTY = """
CREATE TABLE person (id serial PRIMARY KEY, "phones_additionalPhones" jsonb);
INSERT INTO person ("phones_additionalPhones")
SELECT jsonb_build_array(
         jsonb_build_object('number', (600000000 + i * 7919)::text, 'countryCode', '+33'),
         jsonb_build_object('number', CASE WHEN i % 8 = 0
                                      THEN '+33 6 12 34 ' || lpad((i % 100)::text, 2, '0')
                                      ELSE (700000000 + i * 31)::text END,
                            'countryCode', 'FR'))
  FROM generate_series(1, 625) i;
"""


def test_numbers_in_a_column_named_for_phones_are_phone_numbers(make_db, tmp_path: Path) -> None:
    """Twenty's additional phones: bare digits passed no phone test (kept), a few
    formatted ones among them made the path free text (numbers became words). In a
    column named for phones, dialable numbers are phone numbers; the country codes stay."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(TWENTY)
        before = [r[0] for r in conn.execute('SELECT "phones_additionalPhones" FROM person')]
    text, _ = generate_and_compile(dsn, tmp_path)
    assert rule_of(text, "public.person", "phones_additionalPhones") == {
        "strategy": "jsonb",
        "paths": {"*.number": "phone"},
    }
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="phones", progress=False)
    with psycopg.connect(dsn) as conn:
        after = [r[0] for r in conn.execute('SELECT "phones_additionalPhones" FROM person')]
    numbers = {e["number"] for doc in before for e in doc}
    masked = [e["number"] for doc in after for e in doc]
    assert not numbers & set(masked)
    assert all(sum(c.isdigit() for c in n) >= 6 for n in masked)  # still numbers
    assert {e["countryCode"] for doc in after for e in doc} == {"+33", "FR"}
