"""jsonb paths through objects: `tokens.*.token` masks the token under every key.

devise_token_auth (Chatwoot) keeps a user's tokens keyed by client id, `{"<client
id>": {"token": "$2a$10$...", "expiry": ...}}`: a rule could name only the client ids
its sample met, so the token of every login after `rules init` reached staging, and
verify found nothing. A `*` stands for every member of an object as it does for every
element of an array; the keys, the other members and the pairs of Sentry's header
lists stay as they are, and verify samples every member's value.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import run_cli

# 30 users with one or two client ids each; user 31 logged in after the rules were
# written (a client id no rule names); event headers come in two orders.
SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, tokens json, event text);
INSERT INTO users
SELECT g,
       (SELECT json_object_agg(md5('c' || g || '-' || c), json_build_object(
                   'token', '$2a$10$' || md5('t' || g || c) || md5('u' || g),
                   'expiry', 1767225600 + c))
          FROM generate_series(1, 1 + g % 2) c),
       json_build_object('request', json_build_object('headers', CASE WHEN g % 2 = 0
           THEN json_build_array(json_build_array('Cookie', 'sessionid=' || md5('s' || g)),
                                 json_build_array('Authorization', 'Bearer ' || md5('b' || g)),
                                 json_build_array('X-Forwarded-For', '10.1.2.' || g))
           ELSE json_build_array(json_build_array('Authorization', 'Bearer ' || md5('b' || g)),
                                 json_build_array('X-Forwarded-For', '10.1.2.' || g),
                                 json_build_array('Cookie', 'sessionid=' || md5('s' || g)))
           END))::text
  FROM generate_series(1, 30) g;
INSERT INTO users VALUES
    (31, '{"NEWclient": {"token": "$2a$10$SECRETSECRETSECRET", "expiry": 1}}', NULL),
    (32, '{}', '{"request": {"headers": []}}'),
    (33, '{"x": null, "y": "plain"}', '{"request": {"headers": {"Cookie": "sessionid=zz1"}}}');
"""

RULES = """version: 1
tables:
  public.users:
    columns:
      id: keep
      tokens: {strategy: jsonb, paths: {"*.token": hash}}
      event: {strategy: jsonb, paths: {request.headers.*.1: hash}}
"""


def _setup(make_db, tmp_path: Path) -> tuple[str, Path, dict[int, tuple]]:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        before = {r[0]: r[1:] for r in conn.execute("SELECT * FROM users")}
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    mark_clone(dsn)
    return dsn, rules, before


def test_every_member_of_an_object_is_masked_and_its_key_kept(make_db, tmp_path: Path) -> None:
    dsn, rules, before = _setup(make_db, tmp_path)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    with psycopg.connect(dsn) as conn:
        after = {r[0]: r[1:] for r in conn.execute("SELECT * FROM users")}
    for i in range(1, 32):
        tokens, old_tokens = after[i][0], before[i][0]
        assert sorted(tokens) == sorted(old_tokens)  # the client ids kept
        for client, old in old_tokens.items():
            assert tokens[client]["expiry"] == old["expiry"]
            assert tokens[client]["token"] != old["token"]
            assert "$2a$10$" not in tokens[client]["token"]
    assert "SECRET" not in json.dumps(after[31][0])  # a client id no sample met
    for i in range(1, 31):
        event, old_event = json.loads(after[i][1]), json.loads(before[i][1])
        pairs, old_pairs = event["request"]["headers"], old_event["request"]["headers"]
        assert [len(p) for p in pairs] == [2, 2, 2]  # pairs stay pairs, in their order
        assert [p[0] for p in pairs] == [p[0] for p in old_pairs]
        assert all(new[1] != old[1] for new, old in zip(pairs, old_pairs, strict=True))
        assert "sessionid" not in after[i][1] and "Bearer" not in after[i][1]
    assert after[32] == ({}, '{"request": {"headers": []}}')
    assert after[33][0]["x"] is None and after[33][0]["y"] == "plain"  # no token in them
    # an object where pairs were expected: its members are no pairs, nothing at `1`
    assert after[33][1] == before[33][1]
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []
    assert report.sampled["public.users.tokens:*.token"] == sum(1 + g % 2 for g in range(1, 31)) + 1
    assert report.sampled["public.users.event:request.headers.*.1"] == 90


def test_a_member_given_its_original_back_is_a_leak(make_db, tmp_path: Path, capsys) -> None:
    """verify samples each member's value: one token written back is named by its path."""
    dsn, rules, before = _setup(make_db, tmp_path)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s").code == 0
    client, old = sorted(before[7][0].items())[-1]
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "UPDATE users SET tokens = jsonb_set(tokens::jsonb, ARRAY[%s, 'token'],"
            " to_jsonb(%s::text))::json WHERE id = 7",
            (client, old["token"]),
        )
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert result.code == 1
    assert json.loads(result.out)["leaks"]["public.users.tokens:*.token"] == 1
