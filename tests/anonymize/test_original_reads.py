"""An `sql` rule, or a template's {keep:column}, reading a column the rules mask would
write that column's originals elsewhere: refused with file:line, nothing changed."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import db_with_rules, refused_findings

SCHEMA = """
CREATE TABLE people (
    id int PRIMARY KEY, first_name text, last_name text, display text, nick text,
    kind text, note text,
    initials text GENERATED ALWAYS AS (left(first_name, 1) || left(last_name, 1)) STORED
);
INSERT INTO people (id, first_name, last_name, display, nick, kind, note)
SELECT g, 'Ann' || g, 'Smith' || g, 'Ann Smith', 'annie', 'a', 'n' FROM generate_series(1, 40) g;
"""
HEAD = """version: 1
tables:
  public.people:
    columns:
      id: keep
      first_name: first_name
      last_name: last_name
      kind: keep
      initials: keep
"""


@pytest.mark.parametrize(
    ("rules", "key", "line", "read"),
    [
        (
            "      display: {strategy: sql,\n"
            "                expression: \"upper(first_name) || ' ' || last_name\"}\n"
            "      nick: keep\n      note: keep\n",
            "public.people.display",
            10,
            "first_name, last_name",
        ),
        (
            "      display: keep\n"
            "      nick: {strategy: template, template: '{keep:first_name}-{hash}'}\n"
            "      note: keep\n",
            "public.people.nick",
            11,
            "first_name",
        ),
        (  # a generated column computed from masked ones still holds the originals'
            "      display: keep\n      nick: keep\n"
            "      note: {strategy: switch, by: kind, cases: "
            "{a: {strategy: sql, expression: \"initials || '!'\"}}}\n",
            "public.people.note",
            12,
            "initials",
        ),
    ],
)
def test_a_rule_copying_masked_originals_is_refused(
    make_db, tmp_path: Path, rules: str, key: str, line: int, read: str
) -> None:
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, HEAD + rules, "people.yaml")
    [finding] = refused_findings(dsn, path)
    assert (finding.code, finding.location.key) == ("reads-original", key)
    assert (finding.location.file, finding.location.line) == (str(path), line)
    assert f"reads {read}, which the rules mask" in finding.message
    assert finding.hint and "template" in finding.hint


def test_reading_its_own_column_and_kept_ones_is_fine(make_db, tmp_path: Path) -> None:
    rules = HEAD + (
        "      display: {strategy: template, template: '{first_name:first_name} "
        "{last_name:last_name}'}\n"
        '      nick: {strategy: sql, expression: "md5(nick || kind)"}\n'
        "      note: {strategy: template, template: '{keep:kind}-{hash}'}\n"
    )
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, rules, "people.yaml")
    mark_clone(dsn)
    anonymize(dsn, [path], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        shown = conn.execute(
            "SELECT count(*) FROM people WHERE display <> first_name || ' ' || last_name "
            "OR display = 'Ann Smith'"
        ).fetchone()[0]
    assert shown == 0  # the template's parts are the masked columns' values
    assert verify_report(dsn, [path], seed="s").findings == []
