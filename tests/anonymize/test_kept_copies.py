"""verify finds a masked column's originals copied into a column the rules keep: a
Gitea `user.lower_name` (lower(name)) and `website` kept every username while verify
said "0 leaks", and so did a `namespaces.path` equal to the username."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import db_with_rules, verify_cli

SCHEMA = """
CREATE TABLE "user" (id int PRIMARY KEY, name text NOT NULL, lower_name text NOT NULL,
    website text, status text NOT NULL, theme varchar(40));
INSERT INTO "user" SELECT i, format('Charmon%s', i), lower(format('Charmon%s', i)),
    format('https://charmon%s.dev', i),
    CASE WHEN i <= 3 THEN format('charmon%s', i) ELSE 'active' END, 'auto'
FROM generate_series(1, 300) i;
CREATE TABLE namespaces (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES "user",
    path text NOT NULL, kind text NOT NULL);
INSERT INTO namespaces SELECT i, i, format('Charmon%s', i), 'user' FROM generate_series(1, 300) i;
"""


def _rules(kept: str) -> str:
    return f"""version: 1
tables:
  public.user:
    columns:
      id: keep
      name: {{strategy: hash, unique: true}}
      status: keep
      theme: keep
{kept}
"""


MASKED_COPIES = """      lower_name: {strategy: hash, unique: true}
      website: null
"""


def test_kept_copies_of_a_masked_column_fail_verify(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exact copy in another table (by foreign key), the lower() copy and the URL
    holding the name are each named with the masked column they copy; a status column
    sharing three values with the names by chance is not."""
    kept = "      lower_name: keep\n      website: keep\n"
    namespaces = (
        "  public.namespaces:\n    columns: {id: keep, owner_id: keep, path: keep, kind: keep}\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, _rules(kept) + namespaces, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 1, out
    for copy in ("public.user.lower_name", "public.user.website", "public.namespaces.path"):
        assert f"{copy} holds 300 original value(s) of masked column public.user.name" in out
    assert "public.user.status" not in out
    assert "public.namespaces.kind" not in out and "public.user.theme" not in out


def test_masked_copies_pass_and_the_report_is_not_cut(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the copies masked too (and the namespaces table's path), verify passes;
    its report, written to a pipe, names long columns whole."""
    schema = SCHEMA + (
        "ALTER TABLE namespaces ADD COLUMN a_rather_long_column_name_for_the_report text;"
    )
    namespaces = """  public.namespaces:
    columns:
      id: keep
      owner_id: keep
      path: hash
      kind: keep
      a_rather_long_column_name_for_the_report: {strategy: hash}
"""
    dsn, rules = db_with_rules(
        make_db, tmp_path, schema, _rules(MASKED_COPIES) + namespaces, "r.yaml"
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE namespaces SET a_rather_long_column_name_for_the_report = path")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 0, out
    assert "public.namespaces.a_rather_long_column_name_for_the_report " in out


def test_copies_without_a_primary_key_and_in_a_partitioned_table(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table without a primary key pairs rows by its kept columns; a partitioned
    table referencing the masked one is read through its partitions."""
    schema = (
        SCHEMA
        + """
CREATE TABLE logins (login text NOT NULL, login_lower text NOT NULL, at date NOT NULL);
INSERT INTO logins SELECT format('Anna.Berg%s', i), lower(format('Anna.Berg%s', i)),
    date '2026-01-01' + i % 20 FROM generate_series(1, 200) i;
CREATE TABLE events (id int, user_id int NOT NULL REFERENCES "user", actor text NOT NULL,
    PRIMARY KEY (id, user_id)) PARTITION BY HASH (user_id);
CREATE TABLE events_0 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE events_1 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO events SELECT i, i, format('CHARMON%s', i) FROM generate_series(1, 300) i;
"""
    )
    others = """  public.namespaces:
    columns: {id: keep, owner_id: keep, path: hash, kind: keep}
  public.logins:
    columns: {login: hash, login_lower: keep, at: keep}
  public.events:
    columns: {id: keep, user_id: keep, actor: keep}
"""
    dsn, rules = db_with_rules(make_db, tmp_path, schema, _rules(MASKED_COPIES) + others, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 1, out
    assert "public.logins.login_lower holds 200 original value(s) of masked column " in out
    assert "public.events.actor holds 300 original value(s) of masked column public.user" in out
    assert out.count("kept-copy") == 3, out  # actor copies lower_name (masked too) as well


@pytest.mark.parametrize("older", ["DROP COLUMN folded", "ALTER COLUMN folded SET DEFAULT NULL"])
def test_samples_of_an_older_version_still_find_exact_copies(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], older: str
) -> None:
    """Samples taken before folded hashes existed (the column missing, or NULL in an
    upgraded schema): exact copies are still found, and nothing fails."""
    namespaces = (
        "  public.namespaces:\n    columns: {id: keep, owner_id: keep, path: keep, kind: keep}\n"
    )
    kept = "      lower_name: keep\n      website: keep\n"
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, _rules(kept) + namespaces, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE dbrefresh.leak_hashes {older}")
        if older.startswith("ALTER"):
            conn.execute("UPDATE dbrefresh.leak_hashes SET folded = NULL")

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 1, out
    assert "public.namespaces.path holds 300 original value(s) of masked column" in out
    assert out.count("kept-copy") == 1, out


def test_kept_columns_of_other_collations(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kept column under a case-insensitive ICU collation (regular expressions refuse
    it: verify failed) alone, and beside one under "C", are compared like the others."""
    schema = """
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE handles (id int PRIMARY KEY, handle text NOT NULL, copy text COLLATE ci);
INSERT INTO handles SELECT i, format('Handle%s', i), format('handle%s', i)
FROM generate_series(1, 100) i;
CREATE TABLE sites (id int PRIMARY KEY, handle_id int REFERENCES handles, url text COLLATE ci,
    title text COLLATE "C");
INSERT INTO sites SELECT i, i, format('https://handle%s.dev', i), format('Handle%s', i)
FROM generate_series(1, 100) i;
"""
    rules_text = """version: 1
tables:
  public.handles:
    columns: {id: keep, handle: hash, copy: keep}
  public.sites:
    columns: {id: keep, handle_id: keep, url: keep, title: keep}
"""
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 1, out
    for copy in ("public.handles.copy", "public.sites.url", "public.sites.title"):
        assert f"{copy} holds 100 original value(s) of masked column public.handles.handle" in out


def test_a_kept_timezone_naming_the_big_cities_is_no_copy(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two rows in three live in Berlin, Paris or London, with the timezone of that
    name: many rows match, but 3 of the 103 cities, chance rather than a copy. A
    copy of the city column is found, few distinct values or not."""
    schema = """
CREATE TABLE addresses (id int PRIMARY KEY, city text NOT NULL, timezone text NOT NULL,
    city_copy text NOT NULL);
INSERT INTO addresses SELECT i, c, CASE WHEN i <= 200 THEN 'Europe/' || c ELSE 'Etc/UTC' END, c
FROM generate_series(1, 300) i, LATERAL (SELECT CASE WHEN i <= 200
    THEN (ARRAY['Berlin', 'Paris', 'London'])[1 + i % 3] ELSE format('Town%s', i) END) x(c);
"""
    rules_text = """version: 1
tables:
  public.addresses:
    columns: {id: keep, city: city, timezone: keep, city_copy: keep}
"""
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 1, out
    assert "public.addresses.city_copy holds 103 original value(s) of masked column" in out
    assert "public.addresses.timezone" not in out
