"""verify finds originals of a jsonb rule's paths copied into columns the rules keep:
`profile.email` masked inside the document while a kept `contact` column of the same
row, and a kept `ship_to` of the orders referencing it, still held every address, and
verify said nothing (only text columns' samples were looked for)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import db_with_rules

SCHEMA = """
CREATE TABLE members (id int PRIMARY KEY, profile jsonb NOT NULL, contact text,
    motto text NOT NULL);
INSERT INTO members SELECT i,
    jsonb_build_object('email', format('Mira.Holt%s@corp.example', i),
                       'nick', format('mirah%s', i), 'plan', 'gold'),
    upper(format('Mira.Holt%s@corp.example', i)), 'carpe diem'
FROM generate_series(1, 200) i;
CREATE TABLE orders (id int PRIMARY KEY, member_id int NOT NULL REFERENCES members,
    ship_to text NOT NULL, note text NOT NULL);
INSERT INTO orders SELECT i, i, format('Mira.Holt%s@corp.example', i), 'gold'
FROM generate_series(1, 200) i;
"""

RULES = """version: 1
tables:
  public.members:
    columns:
      id: keep
      profile: {strategy: jsonb, paths: {email: email, nick: {strategy: hash}}}
      contact: keep
      motto: keep
  public.orders:
    columns: {id: keep, member_id: keep, ship_to: keep, note: keep}
"""


def _masked(make_db, tmp_path: Path) -> tuple[str, Path]:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    return dsn, rules


def _copies(dsn: str, rules: Path) -> list[str]:
    report = verify_report(dsn, [rules], seed="s")
    return sorted(f.message for f in report.findings if f.code == "kept-copy")


def test_kept_copies_of_a_jsonb_path_are_found(make_db, tmp_path: Path) -> None:
    """The upper-cased copy on the row itself and the exact copy in the referencing
    orders are named with the column and path they copy; the path 'plan' (not masked)
    equal to orders.note, and the unrelated motto, are not."""
    dsn, rules = _masked(make_db, tmp_path)
    assert _copies(dsn, rules) == [
        "public.members.contact holds 200 original value(s) of masked column "
        "public.members.profile (path email) (200 of 200 sampled value(s) compared)",
        "public.orders.ship_to holds 200 original value(s) of masked column "
        "public.members.profile (path email) (200 of 200 sampled value(s) compared)",
    ]


def test_masked_copies_of_a_path_pass(make_db, tmp_path: Path) -> None:
    """With the copies masked too, nothing is reported (the masked document's values
    are no originals)."""
    dsn, rules = db_with_rules(
        make_db,
        tmp_path,
        SCHEMA,
        RULES.replace("contact: keep", "contact: email").replace("ship_to: keep", "ship_to: email"),
        "r.yaml",
    )
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []


@pytest.mark.parametrize("older", ["DROP COLUMN folded", "folded NULL"])
def test_path_samples_of_an_older_version(make_db, tmp_path: Path, older: str) -> None:
    """Path samples taken before they had folded hashes (the column missing, or NULL):
    the exact copy is still found, the upper-cased one cannot be, nothing fails."""
    dsn, rules = _masked(make_db, tmp_path)
    with psycopg.connect(dsn, autocommit=True) as conn:
        if older.startswith("DROP"):
            conn.execute(f"ALTER TABLE dbrefresh.leak_path_hashes {older}")
        else:
            conn.execute("UPDATE dbrefresh.leak_path_hashes SET folded = NULL")
    copies = _copies(dsn, rules)
    assert len(copies) == 1, copies
    assert copies[0].startswith("public.orders.ship_to holds 200 original value(s) of masked")
