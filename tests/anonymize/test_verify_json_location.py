"""`verify --format json`: a leak names its rule's file and line, as the text does.

Leak findings carried location {file: null, line: null} although the compile knows
where each column's rule was written: a CI annotation had nowhere to point.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import db_with_rules, run_cli

SCHEMA = """
CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO people SELECT g, 'person' || g || '@mail.example' FROM generate_series(1, 50) g;
"""
RULES = """version: 1
tables:
  public.people:
    columns:
      id: keep
      email: {strategy: email, unique: true}
"""


def test_a_leak_in_json_names_its_rules_file_and_line(
    make_db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "people.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:  # an original value back in its row
        conn.execute("UPDATE people SET email = 'person7@mail.example' WHERE id = 7")
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert result.code == 1, result.out + result.err
    [leak] = [f for f in json.loads(result.out)["findings"] if f["code"] == "leak"]
    assert leak["location"] == {"file": str(rules), "line": 6, "key": "public.people.email"}
