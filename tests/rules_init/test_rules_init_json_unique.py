"""JSON documents in a unique text column, a few rows no JSON at all.

`rules init` kept the whole column (its jsonb rule masked emails with the lossy
`email`, refused on a unique column), every address reaching staging; and a jsonb
rule written by hand failed every night: the rows that are no JSON all became the
text `null` in the NOT NULL column, and the second broke its unique constraint. Now
the paths are masked injectively, and such a row (or a JSON string, '"Ann Lee"')
becomes NULL, `null`, or in a unique column a JSON string of the keyed hash of the
original: unique, valid JSON, nothing of it kept (two NULLs collide under NULLS NOT
DISTINCT, which the catalog does not tell)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg
import pytest

from dbrefresh.catalog import read_catalog
from dbrefresh.errors import RulesError
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.load import load_rules

from .helpers import comment_of, generate_then_mask, rule_of

ROWS = 300
STRAYS = (5, 90)  # no JSON, an address in them
STRINGS = (7, 95)  # a JSON string: a name
SCHEMA = f"""
CREATE TABLE webhooks (id int PRIMARY KEY, body text NOT NULL UNIQUE, opt text UNIQUE,
  meta text);
INSERT INTO webhooks SELECT i, json_build_object('email', 'user' || i || '@mail.example.org',
    'n', i, 'first_name', (ARRAY['Anna', 'Jan', 'Maria', 'Peter', 'Julia', 'Tomasz', 'Eva',
    'Lukas', 'Sofia', 'Ben', 'Mia', 'Paul'])[1 + i % 12])::text,
    json_build_object('email', 'user' || i || '@mail.example.org')::text,
    CASE WHEN i IN {STRAYS} THEN 'n/a' ELSE json_build_object('n', i)::text END
  FROM generate_series(1, {ROWS}) i;
UPDATE webhooks SET body = 'legacy ann.lee' || id || '@mail.example.org', opt = 'legacy ' || id
  WHERE id IN {STRAYS};
UPDATE webhooks SET body = '"Ann Lee ' || id || '"', opt = '"Ann Lee ' || id || '"'
  WHERE id IN {STRINGS};
"""
HEX_STRING = re.compile(r'"[0-9a-f]{32}"')


def test_rules_init_masks_a_unique_column_of_documents(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    unique_email = {"strategy": "email", "unique": True}
    assert rule_of(text, "public.webhooks", "body") == {
        "strategy": "jsonb",
        "paths": {"email": unique_email, "first_name": "hash"},  # no name is injective
    }
    assert rule_of(text, "public.webhooks", "opt") == {
        "strategy": "jsonb",
        "paths": {"email": unique_email},
    }
    note = comment_of(text, "public.webhooks", "body")
    assert "first_name: no first_name strategy is injective: hash instead" in note
    assert "4 of 300 sampled values are no JSON object or array: anonymize writes a JSON " in note
    assert "keyed hash of the value (the column is unique)" in note
    assert "longer than" not in note  # a stray is no document too long to read
    assert "keyed hash of the value" in comment_of(text, "public.webhooks", "opt")
    assert rule_of(text, "public.webhooks", "meta") == "keep"  # nothing personal in it
    assert comment_of(text, "public.webhooks", "meta") == (
        "REVIEW: 2 of 300 sampled values are no JSON object or array, kept with the column"
    )
    with psycopg.connect(dsn) as conn:
        rows = dict(conn.execute("SELECT id, (body, opt) FROM webhooks").fetchall())
    assert len(rows) == ROWS
    bodies = [body for body, _ in rows.values()]
    assert len(set(bodies)) == ROWS
    for id_, (body, opt) in rows.items():
        assert "mail.example.org" not in body + (opt or "") and "Ann" not in body, (id_, body)
        if id_ in STRAYS + STRINGS:
            assert HEX_STRING.fullmatch(body) and HEX_STRING.fullmatch(opt), (body, opt)
        else:
            doc = json.loads(body)
            assert doc["n"] == id_ and "@" in doc["email"] and len(doc["first_name"]) == 32


def _masked_by_hand(make_db, tmp_path: Path, schema: str) -> str:
    from dbrefresh.anonymize.api import anonymize, mark_clone

    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(schema)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\ntables:\n  public.t:\n    columns:\n      id: keep\n"
        "      doc: {strategy: jsonb, paths: {email: {strategy: email, unique: true}}}\n",
        encoding="utf-8",
    )
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="json-unique", progress=False)
    return dsn


@pytest.mark.parametrize(
    "doc_type",
    ["text NOT NULL UNIQUE", "varchar(60) NOT NULL UNIQUE", "text UNIQUE NULLS NOT DISTINCT"],
)
def test_rows_that_are_no_json_do_not_collide(make_db, tmp_path: Path, doc_type: str) -> None:
    dsn = _masked_by_hand(
        make_db,
        tmp_path,
        f"CREATE TABLE t (id int PRIMARY KEY, doc {doc_type});"
        'INSERT INTO t VALUES (1, \'{"email": "ann@mail.example.org"}\'),'
        " (2, 'call bob@mail.example.org'), (3, 'n/a'), (4, '\"Carol Sims\"'), (5, 'null')",
    )
    with psycopg.connect(dsn) as conn:
        rows = dict(conn.execute("SELECT id, doc FROM t").fetchall())
    assert "@mail.example.org" not in rows[1] and "@" in json.loads(rows[1])["email"]
    assert all(HEX_STRING.fullmatch(rows[i]) for i in (2, 3, 4)), rows
    assert len({rows[2], rows[3], rows[4]}) == 3
    assert rows[5] == "null"  # JSON null: a document without paths, kept


def test_a_varchar_too_short_for_the_hash_is_refused(make_db, tmp_path: Path) -> None:
    """varchar(17) leaves 15 hex characters beside the quotes: collisions possible."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, doc varchar(17) NOT NULL UNIQUE)")
        catalog = read_catalog(conn)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\ntables:\n  public.t:\n    columns:\n      id: keep\n"
        "      doc: {strategy: jsonb, paths: {n: hash}}\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as caught:
        compile_plan(load_rules([rules]), catalog)
    assert [f.code for f in caught.value.findings] == ["lossy-on-unique"]
