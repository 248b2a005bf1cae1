"""verify finds a masked name inside a kept file name: Paperless's
documents.original_filename 'Scan_2023_Anna_Schmidt_Mietvertrag.pdf' beside the
owner's masked users.name 'Anna Schmidt' passed (only the title 'Mietvertrag Anna
Schmidt' was reported): runs of words were taken over white space only."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import db_with_rules, verify_cli

FIRST = "Anna Lukas Marie Jean Sophie Hans Claire Peter Emma Louis Julia Felix Chloe Max Lea"
LAST = "Schmidt Dubois Weber Martin Fischer Bernard Wagner Petit Becker Moreau Hoffmann Roux"

SCHEMA = f"""
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO users SELECT i, (string_to_array('{FIRST}', ' '))[1 + i % 15] || ' '
    || (string_to_array('{LAST}', ' '))[1 + i / 15 % 12] || CASE WHEN i >= 180 THEN '-Lang'
    ELSE '' END
FROM generate_series(0, 299) i;
CREATE TABLE docs (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES users (id),
    original_filename text NOT NULL, kind text NOT NULL);
INSERT INTO docs SELECT d.i, u.id, CASE d.i % 3
    WHEN 0 THEN 'Scan_2023_' || replace(u.name, ' ', '_') || '_Mietvertrag.pdf'
    WHEN 1 THEN 'scans/2023/' || lower(replace(u.name, ' ', '-')) || '.pdf'
    ELSE 'Rechnung.' || replace(u.name, ' ', '.') || '.2023.pdf' END, 'Mietvertrag'
FROM generate_series(1, 3000) d(i) JOIN users u ON u.id = d.i % 300;
"""

RULES = """version: 1
tables:
  public.users:
    columns: {id: keep, name: full_name}
  public.docs:
    columns: {id: keep, owner_id: keep, original_filename: keep, kind: keep}
"""


def test_a_name_inside_a_kept_file_name_fails_verify(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 1, out
    assert "public.docs.original_filename holds " in out, out
    assert "of masked column public.users.name" in out, out
    assert "public.docs.kind" not in out  # 'Mietvertrag' names no one

    # The file names rewritten from the masked names: no copy
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "UPDATE docs d SET original_filename = 'Scan_' || replace(u.name, ' ', '_') "
            "|| '.pdf' FROM users u WHERE u.id = d.owner_id"
        )
    code, out = verify_cli(capsys, dsn, rules)
    assert code == 0, out
    assert "kept-copy" not in out
