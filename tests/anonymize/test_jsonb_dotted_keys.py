"""jsonb paths through keys holding a dot: `content."m.mentions".user_ids.*`.

Matrix Synapse's event JSON keys its mentions and relations `"m.mentions"` and
`"m.relates_to"`. Split on every dot, no path could name them: rules init kept them
with a REVIEW note, verify never looked, and the user ids reached staging. A quoted
key (a `"` inside doubled) names them, everywhere paths are read (docs/strategies.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
import yaml

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.strategies.jsonb_pathsyntax import PathSyntaxError, join_path, path_parts
from tests.anonymize.helpers import run_cli
from tests.rules_init.helpers import generate_and_compile

SCHEMA = """
CREATE TABLE event_json (event_id text PRIMARY KEY, room_id text NOT NULL, json jsonb NOT NULL);
INSERT INTO event_json
SELECT '$ev' || i, '!room:matrix.example',
       jsonb_build_object(
           'type', 'm.room.message',
           'content', jsonb_build_object(
               'body', 'hello ' || i,
               'm.mentions', jsonb_build_object('user_ids', jsonb_build_array(
                   format('@alice%s:matrix.example', i), format('@bob%s:matrix.example', i))),
               'm.relates_to', jsonb_build_object('event_id', '$parent' || i),
               'a "b" c', format('carol%s@mail.example', i)))
  FROM generate_series(1, 60) i;
"""

RULES = """version: 1
tables:
  public.event_json:
    columns:
      event_id: keep
      room_id: keep
      json:
        strategy: jsonb
        paths:
          content."m.mentions".user_ids.*: hash
          'content."a ""b"" c"': email
"""


def _setup(make_db, tmp_path: Path, rules: str = RULES) -> tuple[str, Path, dict[str, object]]:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        before = {r[0]: r[1] for r in conn.execute("SELECT event_id, json FROM event_json")}
    path = tmp_path / "rules.yaml"
    path.write_text(rules)
    mark_clone(dsn)
    return dsn, path, before


def test_the_syntax_round_trips() -> None:
    assert path_parts('content."m.mentions".user_ids.*') == (
        "content",
        "m.mentions",
        "user_ids",
        "*",
    )
    assert path_parts('"a ""b"" c"') == ('a "b" c',)
    assert join_path(("content", "m.relates_to", "a*b", 'q"', "0", "*")) == (
        'content."m.relates_to"."a*b"."q""".0.*'
    )
    for bad in ('a."b', "a..b", '"a"b', "a.", '"*"', "a*b"):
        with pytest.raises(PathSyntaxError):
            path_parts(bad)


def test_keys_with_a_dot_are_masked_and_leak_checked(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every mentioned user id and the quoted key's email change; the rest of the
    document (the relation's event id, the body) is kept; verify samples each path and
    finds an original written back into one mention."""
    dsn, rules, before = _setup(make_db, tmp_path)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    with psycopg.connect(dsn) as conn:
        after = {r[0]: r[1] for r in conn.execute("SELECT event_id, json FROM event_json")}
    for event_id, doc in before.items():
        old, new = doc["content"], after[event_id]["content"]  # type: ignore[index]
        assert len(new["m.mentions"]["user_ids"]) == 2
        assert not set(new["m.mentions"]["user_ids"]) & set(old["m.mentions"]["user_ids"])
        assert new['a "b" c'] != old['a "b" c'] and "@" in new['a "b" c']
        assert new["m.relates_to"] == old["m.relates_to"] and new["body"] == old["body"]
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []
    assert report.sampled['public.event_json.json:content."m.mentions".user_ids.*'] == 120
    assert report.sampled['public.event_json.json:content."a ""b"" c"'] == 60

    original = before["$ev7"]["content"]["m.mentions"]["user_ids"][1]  # type: ignore[index]
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "UPDATE event_json SET json = jsonb_set(json, '{content,m.mentions,user_ids,1}',"
            " to_jsonb(%s::text)) WHERE event_id = '$ev7'",
            (original,),
        )
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert result.code == 1
    out = json.loads(result.out)
    assert out["leaks"]['public.event_json.json:content."m.mentions".user_ids.*'] == 1
    assert [f["message"] for f in out["findings"]] == [
        'public.event_json.json: path content."m.mentions".user_ids.*: '
        "1 original value(s) survived masking"
    ]


def test_rules_init_proposes_quoted_paths(make_db, tmp_path: Path) -> None:
    """The mentions are proposed under a quoted path (no REVIEW note that they cannot
    be named), and the generated rules mask them."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    rule = yaml.safe_load(text)["tables"]["public.event_json"]["columns"]["json"]
    assert rule["strategy"] == "jsonb", text
    assert 'content."m.mentions".user_ids' in rule["paths"], rule
    assert 'content."a ""b"" c"' in rule["paths"], rule
    assert "no jsonb path can name" not in text
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        (left,) = conn.execute(
            "SELECT count(*) FROM event_json, jsonb_array_elements_text("
            "json #> '{content,m.mentions,user_ids}') AS u WHERE u LIKE '@alice%:matrix.example'"
        ).fetchone()
    assert left == 0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ('a."b', "a quote is not closed"),
        ('content."m.mentions', "a quote is not closed"),
        ('content."m.mentions"user_ids', "a quoted key must be followed by a dot"),
        ("content.a*b", 'a key with a * is quoted: "a*b"'),
    ],
)
def test_a_malformed_path_is_refused_naming_the_line(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, message: str
) -> None:
    quoted = "'" + path.replace("'", "''") + "'"
    dsn, rules, before = _setup(
        make_db, tmp_path, RULES.replace('content."m.mentions".user_ids.*', quoted)
    )
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 2
    assert "rules.yaml:9: public.event_json.json.paths: bad path" in result.err, result.err
    assert message in result.err
    assert "Traceback" not in result.err
    with psycopg.connect(dsn) as conn:
        unchanged = {r[0]: r[1] for r in conn.execute("SELECT event_id, json FROM event_json")}
    assert unchanged == before
