"""jsonb's `others` and a `jsonb` rule at a path, on a real server.

Moodle's log `other` holds JSON and, on rows older than an upgrade, PHP-serialised
data: the jsonb rule wrote NULL for every serialised row. `others` masks them with
their own strategy. Mattermost's users.props keeps customStatus as a JSON document in a
string: `lorem` at that path left Mattermost nothing to parse; a `jsonb` rule there
masks the document's members and stores it back as a string.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.catalog import read_catalog
from dbrefresh.rules.compiler import check_rules
from dbrefresh.rules.load import load_rules
from dbrefresh.rules.php_parse import parse

EVENT = '{"user": {"email": "ann.lee@mail.example"}, "level": "error"}'
COMPRESSED = base64.b64encode(zlib.compress(EVENT.encode())).decode()
PHP = 'a:2:{s:8:"username";s:6:"annlee";s:6:"reason";i:1;}'
STATUS = '{"emoji": "calendar", "text": "Meeting with Anna Schmidt", "duration": "today"}'
SCHEMA = f"""
CREATE TABLE logs (id int PRIMARY KEY, other text NOT NULL, data text NOT NULL, props jsonb);
INSERT INTO logs VALUES
  (1, '{{"username": "annlee", "reason": 1}}', '{EVENT}',
   jsonb_build_object('customStatus', '{STATUS}', 'theme', 'dark')),
  (2, '{PHP}', '{COMPRESSED}', '{{"customStatus": "", "theme": "light"}}'),
  (3, 'N;', '[]', '{{"customStatus": "away for lunch"}}'),
  (4, '"a string"', 'not json at all', '{{}}'),
  (5, '', '', NULL);
"""
RULES = """version: 1
tables:
  public.logs:
    columns:
      id: keep
      other:
        strategy: jsonb
        paths: {username: {strategy: hash, prefix: u}}
        others: {strategy: php_serialized, keys: [username]}
      data:
        strategy: jsonb
        paths: {user.email: email}
        others: {strategy: constant, value: '{}'}
      props:
        strategy: jsonb
        paths: {customStatus: {strategy: jsonb, paths: {text: lorem}}}
"""


def test_others_and_documents_in_strings(make_db, tmp_path: Path) -> None:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    with psycopg.connect(dsn) as conn:
        rows = {r[0]: r[1:] for r in conn.execute("SELECT * FROM logs ORDER BY id")}
    # JSON rows path by path; PHP rows in place, still unserialisable; 'N;' kept
    assert json.loads(rows[1][0])["username"].startswith("u")
    php = parse(rows[2][0])
    assert php["reason"] == 1 and php["username"] != "annlee", rows[2][0]
    assert len(php["username"]) == len("annlee")
    assert rows[3][0] == "N;"
    assert rows[4][0] == "null"  # a JSON string is no document: as before
    assert rows[5][0] == ""
    # compressed and unparseable rows become the empty document; documents are masked
    assert json.loads(rows[1][1])["user"]["email"] != "ann.lee@mail.example"
    assert [rows[i][1] for i in (2, 3, 4, 5)] == ["{}", "[]", "{}", ""]
    # the status is still a JSON document in a string, its keys kept, its text masked
    status = json.loads(rows[1][2]["customStatus"])
    assert set(status) == {"emoji", "text", "duration"}
    assert status["emoji"] == "calendar" and "Schmidt" not in status["text"]
    assert rows[1][2]["theme"] == "dark"
    assert rows[2][2] == {"customStatus": "", "theme": "light"}
    assert rows[3][2] == {"customStatus": None}  # no document: JSON null
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == [] and report.total_leaks == 0


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("{strategy: jsonb, paths: {a: lorem}, others: shuffle}", "shuffle cannot mask"),
        (
            "{strategy: jsonb, paths: {a: lorem}, others: {strategy: jsonb, paths: {b: lorem}}}",
            "jsonb cannot mask",
        ),
    ],
)
def test_others_refuses_what_cannot_mask_a_value(tmp_path: Path, rule: str, problem: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"version: 1\ntables:\n  public.t:\n    columns:\n      v: {rule}\n")
    with pytest.raises(Exception, match=problem):
        load_rules([rules])


def test_others_needs_json_kept_in_text(make_db, tmp_path: Path) -> None:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, v jsonb)")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\ntables:\n  public.t:\n    columns:\n      id: keep\n"
        "      v: {strategy: jsonb, paths: {a: lorem}, others: 'null'}\n"
    )
    with psycopg.connect(dsn) as conn:
        findings = check_rules(load_rules([rules]), read_catalog(conn))
    assert "whose every value is JSON" in " ".join(f.message for f in findings)
