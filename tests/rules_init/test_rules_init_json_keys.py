"""rules init on JSON keyed by ids and on lists of [name, value] pairs.

Chatwoot's `users.tokens` (devise_token_auth, `{"<client id>": {"token": ...}}`) got a
path per client id the sample met: a login after `rules init` kept its token, and
verify found nothing. Sentry's `request.headers` ([name, value] pairs in any order) got
'headers.1.1: hash' and 'headers.3.1: ip', nothing for the Cookie at 'headers.0.1', and
`request.cookies` ([["sessionid", ...]]) became ["<hash>"]. Now an id level is a `*`,
every pair's value one `*.1` path, and the structure stays.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.rules.json_paths import read_documents

from .helpers import generate_and_compile, rule_of

SCHEMA = """
CREATE TABLE users (id serial PRIMARY KEY, tokens json, ui_settings jsonb);
INSERT INTO users (tokens, ui_settings)
SELECT json_build_object(
           translate(rtrim(encode(decode(md5('c' || g), 'hex'), 'base64'), '='), '+/', '-_'),
           json_build_object('token', '$2a$10$' || md5('t' || g) || md5('u' || g),
                             'expiry', 1767225600 + g)),
       -- keyed by ids, nothing personal: kept
       jsonb_build_object(md5('w' || g), jsonb_build_object('collapsed', g % 2 = 0, 'width', 300))
  FROM generate_series(1, 30) g;
CREATE TABLE nodestore_node (id serial PRIMARY KEY, data text NOT NULL);
INSERT INTO nodestore_node (data)
SELECT json_build_object('request', json_build_object(
           'headers', (SELECT json_agg(h ORDER BY (o * (g % 3 + 1) * 7) % 5) FROM (VALUES
               (1, json_build_array('Cookie', 'sessionid=' || md5('s' || g))),
               (2, json_build_array('Authorization', 'Bearer ' || md5('b' || g))),
               (3, json_build_array('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) Gecko/' || g)),
               (4, json_build_array('X-Forwarded-For', '81.2.' || g % 250 || '.' || g % 7)),
               (5, json_build_array('Accept', 'text/html'))) AS x(o, h)),
           'cookies', json_build_array(json_build_array('sessionid', md5('s' || g)))),
       'level', 'error')::text
  FROM generate_series(1, 40) g;
ANALYZE;
"""


def test_id_keys_and_header_pairs_get_star_paths(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert rule_of(text, "public.users", "tokens")["paths"] == {"*.token": "hash"}, text
    assert rule_of(text, "public.users", "ui_settings") == "keep", text
    paths = rule_of(text, "public.nodestore_node", "data")["paths"]
    assert paths == {"request.cookies.*.1": "hash", "request.headers.*.1": "hash"}, text
    with psycopg.connect(dsn, autocommit=True) as conn:  # production moved on after init
        conn.execute(
            "INSERT INTO users (tokens) VALUES"
            ' (\'{"NEWclient": {"token": "$2a$10$SECRETSECRETSECRET", "expiry": 1}}\')'
        )
        conn.execute(
            "INSERT INTO nodestore_node (data) VALUES (%s)",
            (
                json.dumps(
                    {
                        "request": {
                            "headers": [
                                ["Authorization", "Bearer LATERTOKEN"],
                                ["X-Csrf", "abc"],
                                ["Cookie", "sessionid=LATERCOOKIE"],
                            ],
                            "cookies": [["sessionid", "LATERCOOKIE"], ["csrftoken", "c1"]],
                        }
                    }
                ),
            ),
        )
        before = {r[0]: json.loads(r[1]) for r in conn.execute("SELECT * FROM nodestore_node")}
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        tokens = [r[0] for r in conn.execute("SELECT tokens::text FROM users")]
        after = {r[0]: json.loads(r[1]) for r in conn.execute("SELECT * FROM nodestore_node")}
    assert not any("$2a$10$" in t or "SECRET" in t for t in tokens), tokens[-1]
    assert any('"NEWclient"' in t for t in tokens)  # the keys kept
    for key, doc in after.items():
        text_after = json.dumps(doc)
        assert not re.search("sessionid=|Bearer|LATER|Mozilla", text_after), text_after
        for part in ("headers", "cookies"):
            new, old = doc["request"][part], before[key]["request"][part]
            assert [p[0] for p in new] == [p[0] for p in old]  # names kept, in order
            assert all(isinstance(p, list) and len(p) == 2 for p in new)  # pairs stay pairs
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="s")
    assert report.findings == []
    assert report.sampled["public.users.tokens:*.token"] == 31
    assert report.sampled["public.nodestore_node.data:request.headers.*.1"] == 40 * 5 + 3


def test_keys_that_are_words_or_repeat_stay_keys() -> None:
    """Header names, settings and a few ids met in every document are keys, not ids."""
    named = [
        {"Authorization": f"Bearer {i:040x}", "X-Api-Key": f"{i:032x}", "Accept": "x"}
        for i in range(40)
    ]
    assert "Authorization" in read_documents([json.dumps(d) for d in named]).paths
    shared = [
        {f"{k:032x}": {"email": f"p{i}@x.org"} for k in range(10)} for i in range(40)
    ]  # ten fixed ids in every document: the schema's own keys
    read = read_documents([json.dumps(d) for d in shared])
    assert f"{3:032x}.email" in read.paths and "*.email" not in read.paths
    per_row = [{f"{i * 7919:x}deadbeef{i}": {"email": f"p{i}@x.org"}} for i in range(40)]
    assert set(read_documents([json.dumps(d) for d in per_row]).paths) == {"*.email"}
