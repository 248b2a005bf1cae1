"""jsonb paths through arrays: `contacts.*.email` masks every element's email.

Before, only array positions could be named (`contacts.0.email`), so every contact past
those listed reached staging unmasked. Checked on real documents: every element masked,
the document's shape, order, other keys and elements that are no object kept, nested
wildcards and top-level arrays, JSON in a text column, verify per wildcard path.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import run_cli

# 3 to 6 contacts a document, one of them no object ("n/a") and one JSON null in some,
# one without an email in others; orders hold items (nested arrays); `emails` is a
# top-level array of addresses; `note` is the same contacts kept as JSON text.
SCHEMA = """
CREATE TABLE people (id int PRIMARY KEY, doc jsonb, emails jsonb, note text);
INSERT INTO people
SELECT i,
       jsonb_build_object(
           'name', 'keep-' || i,
           'contacts', (SELECT jsonb_agg(CASE
                   WHEN c = 2 AND i % 4 = 0 THEN '"n/a"'::jsonb
                   WHEN c = 3 AND i % 5 = 0 THEN 'null'::jsonb
                   WHEN c = 1 AND i % 6 = 0 THEN jsonb_build_object('kind', 'fax')
                   ELSE jsonb_build_object('email', format('c%s-%s@orig.example', i, c),
                                           'kind', 'work', 'rank', c) END ORDER BY c)
                 FROM generate_series(1, 3 + i % 4) c),
           'orders', jsonb_build_array(
               jsonb_build_object('no', i, 'items', jsonb_build_array(
                   jsonb_build_object('name', format('Buyer %s A', i), 'sku', 'S1'),
                   jsonb_build_object('name', format('Buyer %s B', i), 'sku', 'S2'))),
               jsonb_build_object('no', i + 1000))),
       (SELECT jsonb_agg(format('t%s-%s@orig.example', i, c)) FROM generate_series(1, 2 + i % 5) c),
       NULL
  FROM generate_series(1, 40) i;
UPDATE people SET note = doc::text;
INSERT INTO people VALUES (41, '{"contacts": "nobody"}', '"scalar"', 'not json'),
                          (42, '[1, 2]', '{"a": "b"}', '{"contacts": []}'),
                          (43, NULL, NULL, NULL);
"""

RULES = """version: 1
tables:
  public.people:
    columns:
      id: keep
      doc:
        strategy: jsonb
        paths:
          contacts.*.email: email
          orders.*.items.*.name: full_name
      emails: {strategy: jsonb, paths: {"*": email}}
      note:
        strategy: jsonb
        paths:
          contacts.*.email: email
          orders.*.items.*.name: full_name
"""


def _shape(value: object) -> object:
    """The document with every string replaced by its type: what masking keeps."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def _setup(make_db, tmp_path: Path) -> tuple[str, Path, dict[int, tuple]]:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        before = {r[0]: r[1:] for r in conn.execute("SELECT * FROM people")}
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    mark_clone(dsn)
    return dsn, rules, before


def test_every_element_of_an_array_is_masked_and_the_rest_kept(make_db, tmp_path: Path) -> None:
    dsn, rules, before = _setup(make_db, tmp_path)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    with psycopg.connect(dsn) as conn:
        after = {r[0]: r[1:] for r in conn.execute("SELECT * FROM people")}
    for i in range(1, 41):
        doc, emails, note = after[i]
        old_doc, old_emails, _ = before[i]
        text = json.dumps([doc, emails, note])
        assert "@orig.example" not in text and "Buyer" not in text
        assert _shape(doc) == _shape(old_doc) and _shape(emails) == _shape(old_emails)
        assert json.loads(note) == doc  # the text column masked alike (same seed, same value)
        assert doc["name"] == old_doc["name"] and len(doc["contacts"]) == 3 + i % 4
        for new, old in zip(doc["contacts"], old_doc["contacts"], strict=True):
            if isinstance(old, dict) and "email" in old:
                assert "@" in new["email"] and new["email"] != old["email"]
                assert (new["kind"], new["rank"]) == (old["kind"], old["rank"])
            else:
                assert new == old  # "n/a", null, an object without an email
        assert [o["no"] for o in doc["orders"]] == [i, i + 1000]
        assert [it["sku"] for it in doc["orders"][0]["items"]] == ["S1", "S2"]
        assert all("@" in e for e in emails)
    assert after[41] == ({"contacts": "nobody"}, "scalar", None)  # no JSON: NULL
    # `*` on an object: every member's value (test_jsonb_object_members.py)
    assert after[42][0] == [1, 2] and after[42][2] == '{"contacts": []}'
    assert list(after[42][1]) == ["a"] and "@" in after[42][1]["a"]
    assert after[43] == (None, None, None)
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []
    assert report.sampled["public.people.doc:contacts.*.email"] == sum(
        3 + i % 4 - (i % 4 == 0) - (i % 5 == 0 and 3 + i % 4 >= 3) - (i % 6 == 0)
        for i in range(1, 41)
    )
    assert report.sampled["public.people.emails:*"] == sum(2 + i % 5 for i in range(1, 41)) + 1
    assert report.sampled["public.people.doc:orders.*.items.*.name"] == 80


@pytest.mark.parametrize("keyed", [True, False])
def test_an_original_written_back_past_the_sampled_elements_is_named(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], keyed: bool
) -> None:
    """The fifth contact of a document given its original email back: verify exits 1
    naming the column and the wildcard path (samples tied to their row by the primary
    key, or by the kept id column and the element's number)."""
    dsn, rules, before = _setup(make_db, tmp_path)
    if not keyed:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("ALTER TABLE people DROP CONSTRAINT people_pkey")
    original = before[2][0]["contacts"][4]["email"]  # 3 + 2 % 4 = 5 contacts
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s").code == 0
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "UPDATE people SET doc = jsonb_set(doc, '{contacts,4,email}', to_jsonb(%s::text))"
            " WHERE id = 2",
            (original,),
        )
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert result.code == 1
    out = json.loads(result.out)
    assert out["leaks"]["public.people.doc:contacts.*.email"] == 1
    assert (
        "public.people.doc: path contacts.*.email: 1 original value(s) survived masking"
        in result.out
    )
    assert out["leaks"]["public.people.note:contacts.*.email"] == 0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("contacts[*].email", "every element of an array is a `*` of its own"),
        ("contacts.*x.email", "every element of an array is a `*` of its own"),
        ("contacts..email", "use dotted keys"),
    ],
)
def test_a_malformed_wildcard_is_refused_naming_the_line(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, message: str
) -> None:
    dsn, rules, before = _setup(make_db, tmp_path)
    rules.write_text(RULES.replace("contacts.*.email: email\n", f"{path}: email\n", 1))
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 2
    assert "rules.yaml:8: public.people.doc.paths: bad path" in result.err and message in result.err
    assert "Traceback" not in result.err
    with psycopg.connect(dsn) as conn:
        unchanged = {r[0]: r[1:] for r in conn.execute("SELECT * FROM people")}
    assert unchanged == before


def test_overlapping_wildcard_paths_are_refused(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules, _ = _setup(make_db, tmp_path)
    rules.write_text(RULES.replace("orders.*.items.*.name", "contacts.*.email.*.x"))
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 2
    assert "'contacts.*.email' and 'contacts.*.email.*.x' overlap" in result.err


def test_a_star_beside_paths_under_it_masks_the_other_elements(make_db, tmp_path: Path) -> None:
    """`contacts.*` beside `contacts.*.email`: the objects by their email, the "n/a"
    strings by the `*`'s rule (Passport's `emails`: objects from GitHub, strings from
    LDAP), objects staying objects; verify samples each path's own values and passes."""
    dsn, rules, before = _setup(make_db, tmp_path)
    rules.write_text(RULES.replace("orders.*.items.*.name: full_name", "contacts.*: hash", 1))
    anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        after = {r[0]: r[1] for r in conn.execute("SELECT id, doc FROM people")}
    strings = 0
    for i in range(1, 41):
        for new, old in zip(after[i]["contacts"], before[i][0]["contacts"], strict=True):
            if isinstance(old, str):
                assert isinstance(new, str) and new != old  # "n/a" hashed
                strings += 1
            elif isinstance(old, dict) and "email" in old:
                assert new["email"] != old["email"] and "@" in new["email"]
                assert (new["kind"], new["rank"]) == (old["kind"], old["rank"])
            else:
                assert new == old  # null, an object without an email: kept
    assert strings == 10
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []
    assert report.sampled["public.people.doc:contacts.*"] == strings  # no object sampled
