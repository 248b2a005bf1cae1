"""JSON kept in text or json whose document the jsonb rule leaves as it was keeps its
own text: re-serialized, every row's key order and spaces changed, and Home
Assistant, which finds its state_attributes rows by a hash of their text, found none.
Rows holding something to mask are still masked, and `verify` finds no leak."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report

UNTOUCHED = '{"unit_of_measurement": "W",  "friendly_name": "Plug 1", "email": null}'
DUPLICATE = '{"b": 1, "a": [1,2], "b": 2}'
PERSONAL = '{"friendly_name": "Phone of Anna",  "email": "anna.schmidt@mail.example"}'
NESTED = json.dumps({"theme": "dark", "status": '{"text":  "Lunch",  "x": 1}'})
SCHEMA = f"""
CREATE TABLE state_attributes (id int PRIMARY KEY, shared_attrs text NOT NULL,
  short varchar(120), j json, props text);
INSERT INTO state_attributes VALUES
  (1, '{UNTOUCHED}', '{UNTOUCHED}', '{UNTOUCHED}', '{NESTED}'),
  (2, '{DUPLICATE}', '{DUPLICATE}', '{DUPLICATE}', '{NESTED}'),
  (3, '{PERSONAL}', '{PERSONAL}', '{PERSONAL}', '{NESTED}'),
  (4, '[ ]', 'a:1:{{s:1:"a";i:1;}}', '[ ]', '{{}}');
"""
RULES = """version: 1
tables:
  public.state_attributes:
    columns:
      id: keep
      shared_attrs: {strategy: jsonb, paths: {email: email}}
      short: {strategy: jsonb, paths: {email: email}, others: hash}
      j: {strategy: jsonb, paths: {email: email}}
      props: {strategy: jsonb, paths: {status: {strategy: jsonb, paths: {name: full_name}}}}
"""


def test_unmasked_json_text_is_kept_byte_for_byte(make_db, tmp_path: Path) -> None:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT id, shared_attrs, short, j::text, props FROM state_attributes"
            )
        }
    assert rows[1] == (UNTOUCHED, UNTOUCHED, UNTOUCHED, NESTED)
    assert rows[2] == (DUPLICATE, DUPLICATE, DUPLICATE, NESTED)
    assert rows[4][0] == "[ ]" and rows[4][2] == "[ ]"
    assert rows[4][1] != 'a:1:{s:1:"a";i:1;}'  # no JSON: `others` as before
    for masked in rows[3][:3]:
        document = json.loads(masked)
        assert document["friendly_name"] == "Phone of Anna"
        assert document["email"] != "anna.schmidt@mail.example" and "@" in document["email"]
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == [] and report.total_leaks == 0
