"""JSON documents kept in text columns (Sentry, Nextcloud, Rails' and Django's
serialized fields): `rules init` proposes a path-by-path jsonb rule, as for a json
column, and `anonymize` writes every row back as JSON text, its personal values gone."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.rules.json_text import TextDocuments, json_documents

from .helpers import comment_of, generate_and_compile, generate_then_mask, rule_of

ROWS = 60
# Every third document has a phone; every one an email in a nested object, a plan and
# a count that must survive; every fifth is long (past the sample's 4,000 characters
# of free text: its head and tail alone would not parse); one is no JSON at all.
SCHEMA = f"""
CREATE TABLE events (
    id int PRIMARY KEY,
    data text NOT NULL,
    extra varchar(400),
    note text
);
INSERT INTO events
SELECT g,
       CASE WHEN g = 37 THEN 'oops, no JSON: user37@mail.example.org' ELSE json_build_object(
           'user', json_build_object('email', 'user' || g || '@mail.example.org',
                                     'plan', 'pro'),
           'phone', CASE WHEN g % 3 = 0 THEN '+41 79 555 ' || lpad(g::text, 4, '0') END,
           'count', g,
           'padding', CASE WHEN g % 5 = 0 THEN repeat('x', 5000) END)::text END,
       CASE WHEN g % 4 = 0 THEN NULL
            ELSE '{{"contact":{{"email":"c' || g || '@corp.example"}},"tags":["a","b"]}}' END,
       'Ticket ' || g || ': printer jammed again, see user' || g || '@mail.example.org'
FROM generate_series(1, {ROWS}) g;
"""


def test_json_kept_in_text_is_masked_path_by_path(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    assert rule_of(text, "public.events", "data") == {
        "strategy": "jsonb",
        "paths": {"phone": "phone", "user.email": "email"},
    }
    note = comment_of(text, "public.events", "data")
    assert "JSON documents: masked path by path" in note
    assert "REVIEW: 1 of 60 sampled values are no JSON object or array" in note
    assert rule_of(text, "public.events", "extra") == {
        "strategy": "jsonb",
        "paths": {"contact.email": "email"},
    }
    assert rule_of(text, "public.events", "note") == "lorem"  # free text stays free text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, data, extra FROM events ORDER BY id").fetchall()
        assert conn.execute("SELECT pg_typeof(data)::text FROM events LIMIT 1").fetchone() == (
            "text",
        )
    assert len(rows) == ROWS
    for id_, data, extra in rows:
        doc = json.loads(data)  # every row still parses
        if id_ == 37:
            assert doc is None  # the malformed row: emptied, not kept
            continue
        assert "@mail.example.org" not in data and "555" not in (doc["phone"] or "")
        assert "@" in doc["user"]["email"]
        assert (doc["user"]["plan"], doc["count"]) == ("pro", id_)
        assert (doc["phone"] is None) == (id_ % 3 != 0)
        assert (doc["padding"] is None) == (id_ % 5 != 0)
        if id_ % 4 == 0:
            assert extra is None
        else:
            other = json.loads(extra)
            assert "@corp.example" not in extra and other["tags"] == ["a", "b"]


def test_a_row_that_is_no_json_is_nulled_not_kept_nor_failing(make_db, tmp_path: Path) -> None:
    """The sample cannot see every row: a value that does not parse (or whose masked
    text outgrows its varchar) becomes NULL, or the JSON text null in a NOT NULL
    column; blank text stays blank; the other rows are masked."""
    from dbrefresh.anonymize.api import anonymize, mark_clone

    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE t (id int PRIMARY KEY, doc text NOT NULL, opt varchar(200),"
            " short varchar(20));"
            "INSERT INTO t VALUES"
            ' (1, \'{"email": "ann@mail.example.org"}\', \'{"email":"b@x.org"}\','
            '  \'{"email":"c@x.io"}\'),'
            " (2, 'call ann@mail.example.org', 'not json bob@mail.example.org', '[]'),"
            " (3, '', '{\"email\":\"d@example.org\"}', NULL),"
            " (4, '[1, 2]', '{\"e\": 1, \"email\": null}', '{}'),"
            " (5, '{\"email\": \"\\u0000\"}', '   ', '')"
        )
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\ntables:\n  public.t:\n    columns:\n      id: keep\n"
        "      doc: {strategy: jsonb, paths: {email: email}}\n"
        "      opt: {strategy: jsonb, paths: {email: email}}\n"
        "      short: {strategy: jsonb, paths: {email: email}}\n",
        encoding="utf-8",
    )
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="json-text", progress=False)
    with psycopg.connect(dsn) as conn:
        rows = {r[0]: r[1:] for r in conn.execute("SELECT id, doc, opt, short FROM t")}
    assert "ann@" not in rows[1][0] and "@" in json.loads(rows[1][0])["email"]
    assert json.loads(rows[1][1])["email"] not in ("b@x.org", None)
    assert rows[1][2] is None  # its masked text no longer fits varchar(20): not cut
    assert rows[2] == ("null", None, "[]")  # no JSON: neither kept nor failing the table
    assert rows[3][0] == ""  # blank names no one
    assert json.loads(rows[3][1])["email"] != "d@example.org"
    assert (json.loads(rows[4][0]), json.loads(rows[4][1])) == ([1, 2], {"e": 1, "email": None})
    assert rows[4][2] == "{}"
    assert rows[5] == ("null", None, "")  # \u0000 is no jsonb text; blank stays blank
    with psycopg.connect(dsn) as conn:  # a parallel plan (verify's scans) may call it
        conn.execute("SET force_parallel_mode = on")
        parsed = conn.execute("SELECT count(dbrefresh.jsonb_or_null(doc)) FROM t").fetchone()
    assert parsed == (4,)


def test_only_objects_and_arrays_make_a_column_of_documents() -> None:
    assert json_documents(['{"a": 1}', " [1] ", "", '{"b": {"c": "x"}}']) == TextDocuments(3, 0)
    assert json_documents(['{"a": 1}', "[Urgent] call me"]) is None
    assert json_documents(["42", "true", '"text"']) is None
    assert json_documents(["", "  "]) is None
    cut = '{"cut": "' + "x" * 70_000  # cut by the sample's limit
    assert json_documents(['{"a": 1}', cut]) == TextDocuments(2, 0)
    # a malformed row or two in a large sample is no free text; more are
    assert json_documents(['{"a": 1}'] * 99 + ["oops"]) == TextDocuments(99, 1)
    assert json_documents(['{"a": 1}'] * 98 + ["oops", "n/a", "x"]) is None


def test_a_name_never_empties_a_column_of_documents(make_db, tmp_path: Path) -> None:
    """`address` holding {"street": ..., "city": ...} got `street` (every document one
    street name), `notes` holding flags got `lorem`: both broke the parser."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE c (id int PRIMARY KEY, notes text, address text);"
            "INSERT INTO c SELECT g, '{\"flag\": ' || (g % 2) || '}', json_build_object("
            " 'street', g || ' Main Street', 'city', 'Springfield', 'kind', 'home')::text"
            " FROM generate_series(1, 50) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert rule_of(text, "public.c", "address") == {
        "strategy": "jsonb",
        "paths": {"city": "city", "street": "street"},
    }
    assert rule_of(text, "public.c", "notes") == "keep"
    assert "REVIEW: name suggests free text, but its sampled values are JSON" in comment_of(
        text, "public.c", "notes"
    )


def test_long_json_text_is_read_whole_long_prose_by_its_ends(make_db) -> None:
    """A document past 4,000 characters is read whole (its head and tail would not
    parse); a forum post opening with '[quote]' stays read by its head and tail."""
    from dbrefresh.catalog import read_catalog
    from dbrefresh.rules.sample import sample_values

    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE p (id int PRIMARY KEY, body text);"
            "INSERT INTO p VALUES (1, json_build_object('pad', repeat('x', 9000))::text),"
            " (2, '[quote]' || repeat('y', 9000) || '[/quote]')"
        )
        table = read_catalog(conn).tables["public.p"]
        values = sorted(sample_values(conn, table, ["body"], 10)["body"])
    document, post = (values[1], values[0]) if values[0].startswith("[") else values
    assert json.loads(document)["pad"] == "x" * 9000
    assert " … " in post and len(post) < 4010
