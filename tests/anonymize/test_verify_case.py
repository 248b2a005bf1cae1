"""verify counts an original that survived in another case: `upper(name)` on its own
column wrote 'ARMIN SCHMIEDECKE' and verify said 0 survivors (exact hashes only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import db_with_rules, run_cli

SCHEMA = """
CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO people SELECT i, format('Armin Schmiedecke %s', i) FROM generate_series(1, 200) i;
CREATE TABLE visits (city text NOT NULL, name text NOT NULL);
INSERT INTO visits SELECT format('City %s', i), format('Anna Berger %s', i)
FROM generate_series(1, 200) i;
"""


def _rules(expression: str) -> str:
    rule = f'{{strategy: sql, expression: "{expression}"}}'
    return f"""version: 1
tables:
  public.people:
    columns: {{id: keep, name: {rule}}}
  public.visits:
    columns: {{city: keep, name: {rule}}}
"""


@pytest.mark.parametrize(
    ("expression", "leaked"), [("upper(name)", True), ("lower(name)", True), ("md5(name)", False)]
)
def test_a_value_differing_only_in_case_is_a_survivor(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], expression: str, leaked: bool
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, _rules(expression), "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    text = result.out + result.err
    if not leaked:
        assert result.code == 0, text
        assert "another case" not in text
        return
    assert result.code != 0, text
    # by primary key (people) and by the kept columns (visits, no primary key)
    for table in ("public.people.name", "public.visits.name"):
        assert f"{table}: 200 original value(s) survive in another case" in text, text
    assert "Traceback" not in text


def test_a_dictionary_value_equal_to_the_original_in_another_case_is_no_leak(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only rules a user wrote are checked: a strategy that draws values (here a constant)
    may give 'Berlin' for a city stored as 'BERLIN', by chance, not by keeping it."""
    schema = """
    CREATE TABLE offices (id int PRIMARY KEY, city text NOT NULL);
    INSERT INTO offices SELECT i, 'BERLIN' FROM generate_series(1, 50) i;
    """
    rules_text = """version: 1
tables:
  public.offices:
    columns: {id: keep, city: {strategy: constant, value: Berlin}}
"""
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 0, result.out + result.err
    assert "another case" not in result.out + result.err
