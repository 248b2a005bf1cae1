"""Arrays in JSON documents: `rules init` names every element, not the ones sampled.

The sample reads the first documents, holding two contacts each; later ones hold three
to six. Proposing `contacts.0.email` and `contacts.1.email` let every contact past the
second reach staging; `contacts.*.email` (and `*` for a top-level array of addresses)
masks them all, in a jsonb column and in JSON kept in text alike, and verify checks
the wildcard path element by element.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import run_cli

from .helpers import comment_of, generate_and_compile, rule_of

SAMPLED = 30
# Rows 1-30 (the sample) have 2 contacts and 2 addresses; rows 31-60 have 3 to 6.
SCHEMA = f"""
CREATE TABLE crm (id int PRIMARY KEY, doc jsonb, addresses jsonb, note text);
INSERT INTO crm
SELECT i,
       jsonb_build_object(
           'account', 'acct-' || i,
           'contacts', (SELECT jsonb_agg(jsonb_build_object(
                                 'email', format('c%s-%s@orig-mail.example.org', i, c),
                                 'kind', 'work', 'rank', c) ORDER BY c)
                          FROM generate_series(1, n) c)),
       (SELECT jsonb_agg(format('a%s-%s@orig-mail.example.org', i, c) ORDER BY c)
          FROM generate_series(1, n) c),
       NULL
  FROM (SELECT i, CASE WHEN i <= {SAMPLED} THEN 2 ELSE 3 + i % 4 END AS n
          FROM generate_series(1, 60) i) s;
UPDATE crm SET note = doc::text;
"""


def _shape(value: object) -> object:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def test_every_element_past_the_sample_is_masked_and_verified(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    with psycopg.connect(dsn) as conn:
        before = {r[0]: r[1:] for r in conn.execute("SELECT * FROM crm")}
    text, _ = generate_and_compile(dsn, tmp_path, sample_rows=SAMPLED)
    for column in ("doc", "note"):
        assert rule_of(text, "public.crm", column) == {
            "strategy": "jsonb",
            "paths": {"contacts.*.email": "email"},
        }
        assert "contacts.*.email: every element masked, also those past the sample's (" in (
            comment_of(text, "public.crm", column)
        )
    assert rule_of(text, "public.crm", "addresses") == {
        "strategy": "jsonb",
        "paths": {"*": "email"},
    }
    rules = tmp_path / "rules.yaml"
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="arrays", progress=False)
    with psycopg.connect(dsn) as conn:
        after = {r[0]: r[1:] for r in conn.execute("SELECT * FROM crm")}
    for i, (doc, addresses, note) in after.items():
        old_doc, old_addresses, _ = before[i]
        assert "orig-mail" not in json.dumps([doc, addresses, note])
        assert _shape(doc) == _shape(old_doc) and _shape(addresses) == _shape(old_addresses)
        assert _shape(json.loads(note)) == _shape(old_doc)
        assert doc["account"] == old_doc["account"]
        assert [(c["kind"], c["rank"]) for c in doc["contacts"]] == [
            (c["kind"], c["rank"]) for c in old_doc["contacts"]
        ]
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "arrays").code == 0
    original = before[34][0]["contacts"][4]["email"]  # 3 + 34 % 4 = 5 contacts
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "UPDATE crm SET doc = jsonb_set(doc, '{contacts,4,email}', to_jsonb(%s::text))"
            " WHERE id = 34",
            (original,),
        )
    result = run_cli(
        capsys, "verify", str(rules), "--dsn", dsn, "--seed", "arrays", "--format", "json"
    )
    assert result.code == 1
    assert json.loads(result.out)["leaks"]["public.crm.doc:contacts.*.email"] == 1
    assert "public.crm.doc: path contacts.*.email: 1 original value(s) survived" in result.out
