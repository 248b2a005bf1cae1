"""rules init on lists read by label: account labels, silent labels of logins, and
labels the sample never met.

A request log's context [{key, value}] got `[key=customer].value: hash` only: its
`[key=user].value` logins ('jasonrobinson1') were kept, where one `*.value: hash` had
masked them. A form's fields [{field, value}] got `fields.[field=Email].value` only: the
few submissions holding a 'Work email' field, outside the sample, kept their addresses,
where one `fields.*.value: email` had masked them. Labels naming an account are logins
(masked as the login column is, ids kept); a silent label holding logins made of names
is hashed; every label of the table is read, and an unseen one judged as a sampled one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report

from .helpers import comment_of, generate_and_compile, rule_of

LOGINS = "ARRAY['nicholsjennifer', 'jasonrobinson', 'kmiller', 'tanya.wong', 'brownstephen']"
SCHEMA = f"""
CREATE TABLE users (id int PRIMARY KEY, username text UNIQUE NOT NULL);
INSERT INTO users SELECT g, ({LOGINS})[1 + g % 5] || g FROM generate_series(1, 300) g;
CREATE TABLE http_log (id serial PRIMARY KEY, ctx jsonb NOT NULL);
INSERT INTO http_log (ctx) SELECT jsonb_build_array(
  jsonb_build_object('key', 'user', 'value', ({LOGINS})[1 + g % 5] || g),
  jsonb_build_object('key', 'env', 'value', (ARRAY['prod', 'staging'])[1 + g % 2]),
  jsonb_build_object('key', 'zone', 'value',
    (ARRAY['us-east-1', 'eu-west-2', 'ap-south-1'])[1 + g % 3]),
  jsonb_build_object('key', 'owner', 'value', g % 40),
  jsonb_build_object('key', 'requested_for', 'value',
    (ARRAY['maria.garcia', 'robert.lopez', 'linda.brown', 'daniel.wong'])[1 + g % 4] || g))
FROM generate_series(1, 300) g;
CREATE TABLE jobs (id serial PRIMARY KEY, meta jsonb NOT NULL);
INSERT INTO jobs (meta) SELECT jsonb_build_array(
  jsonb_build_object('name', 'actor', 'value', ({LOGINS})[1 + g % 5] || (g + 1000)),
  jsonb_build_object('name', 'queue', 'value', 'default')) FROM generate_series(1, 200) g;
ANALYZE;
"""
FORMS = """
CREATE TABLE submissions (id serial PRIMARY KEY, data jsonb NOT NULL, raw text, nested jsonb);
INSERT INTO submissions (data) SELECT jsonb_build_object('fields', jsonb_build_array(
  jsonb_build_object('field', 'Email', 'value', 'person' || g || '@mail.example.org'),
  jsonb_build_object('field', 'Plan', 'value', 'pro'))) FROM generate_series(1, 2000) g;
INSERT INTO submissions (data) SELECT jsonb_build_object('fields', jsonb_build_array(
  jsonb_build_object('field', 'Work email', 'value', 'worker' || g || '@corp.example.net'),
  jsonb_build_object('field', 'Coupon', 'value', 'SPRING24'),
  jsonb_build_object('field', 'Plan', 'value', 'pro'))) FROM generate_series(1, 4) g;
UPDATE submissions SET raw = data::text,
  nested = jsonb_build_object('pages', jsonb_build_array(jsonb_build_object('n', 1), data));
ANALYZE;
"""
SAMPLED = 50  # rows: the four 'Work email' submissions outside it


def _rows(dsn: str, query: str) -> dict[Any, Any]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute(query).fetchall())


def _by_label(doc: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return {item[key]: item["value"] for item in doc}


def _generate(make_db: Any, tmp_path: Path, schema: str) -> tuple[str, str, str]:
    """The original database, its copy and the rules generated for the copy."""
    dsn_orig, dsn = make_db(prefix="orig"), make_db(prefix="rinit")
    for each in (dsn_orig, dsn):
        with psycopg.connect(each) as conn:
            conn.execute(schema)
    text, _ = generate_and_compile(dsn, tmp_path, sample_rows=SAMPLED)
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="s1", progress=False)
    return dsn_orig, dsn, text


def test_account_labels_and_silent_labels_of_logins(make_db: Any, tmp_path: Path) -> None:
    """`[key=user].value` holds logins: masked as users.username is, and so are the
    logins of `[name=actor].value` that no column holds; a silent label's logins made of
    names too; ids under 'owner', 'env' and 'zone' codes kept."""
    dsn_orig, dsn, text = _generate(make_db, tmp_path, SCHEMA)
    ctx = rule_of(text, "public.http_log", "ctx")["paths"]
    # as the login column is masked (hash is deterministic: the copies still join)
    assert ctx["[key=user].value"] == {"strategy": "hash", "prefix": "u"}, text
    assert rule_of(text, "public.users", "username")["prefix"] == "u", text
    # logins under a silent label
    assert ctx["[key=requested_for].value"] == {"strategy": "hash", "prefix": "u"}, text
    assert not {"[key=env].value", "[key=zone].value", "[key=owner].value"} & set(ctx), text
    # logins no column holds, under a label naming an account
    assert rule_of(text, "public.jobs", "meta")["paths"] == {
        "[name=actor].value": {"strategy": "hash", "prefix": "u"}
    }, text
    jobs = _rows(dsn, "SELECT id, meta FROM jobs")
    for key, old_doc in _rows(dsn_orig, "SELECT id, meta FROM jobs").items():
        old, new = _by_label(old_doc, "name"), _by_label(jobs[key], "name")
        assert new["actor"] != old["actor"] and new["actor"].startswith("u")
        assert new["queue"] == old["queue"]
    users = set(_rows(dsn, "SELECT username, id FROM users"))
    old_users = set(_rows(dsn_orig, "SELECT username, id FROM users"))
    before = _rows(dsn_orig, "SELECT id, ctx FROM http_log")
    after = _rows(dsn, "SELECT id, ctx FROM http_log")
    for key, old_doc in before.items():
        old, new = _by_label(old_doc, "key"), _by_label(after[key], "key")
        assert new["user"] != old["user"] and new["user"] not in old_users
        assert new["user"] in users  # still the masked users' logins: the join holds
        assert new["requested_for"] != old["requested_for"]
        kept = ("env", "zone", "owner")
        assert [new[k] for k in kept] == [old[k] for k in kept]
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="s1").findings == []


def test_labels_the_sample_never_met(make_db: Any, tmp_path: Path) -> None:
    """Four 'Work email' submissions among 2,004, outside the sample: the label is read
    across the table and judged by its name and a few of its values; 'Coupon' kept."""
    dsn_orig, dsn, text = _generate(make_db, tmp_path, FORMS)
    for column in ("data", "raw"):
        assert rule_of(text, "public.submissions", column)["paths"] == {
            "fields.[field=Email].value": "email",
            "fields.[field=Work email].value": "email",
        }, text
        note = comment_of(text, "public.submissions", column)
        assert "every label of the whole table read" in note, note
        assert "the sample met" not in note, note

    for column in ("data", "raw"):
        query = f"SELECT id, {column}::jsonb FROM submissions"
        old_docs, new_docs = _rows(dsn_orig, query), _rows(dsn, query)
        for key, old_doc in old_docs.items():
            old = _by_label(old_doc["fields"], "field")
            new = _by_label(new_docs[key]["fields"], "field")
            for label in ("Email", "Work email"):
                if label in old:
                    assert new[label] != old[label] and "@" in new[label], (old, new)
            assert (new.get("Plan"), new.get("Coupon")) == (old.get("Plan"), old.get("Coupon"))
    nested = rule_of(text, "public.submissions", "nested")["paths"]  # lists deeper down
    assert nested["pages.*.fields.[field=Work email].value"] == "email", text
    for column in ("data", "raw", "nested"):
        survivors = _rows(
            dsn, f"SELECT id, {column} FROM submissions WHERE {column}::text ~ 'worker'"
        )
        assert survivors == {}, json.dumps(survivors, default=str)
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="s1").findings == []
