"""rules init on lists of objects told apart by a key: one `[key=value]` path per label.

Typebot's `Result.variables` ([{id, name, value}] in the order a session set them) got
`0.value: full_name, 1.value: email`: a result whose session skipped the Name block
had its email at 0 (a name put there, the email of index 1 a tag's) and the email of
another order kept. HAPI FHIR's telecom ([{system, value, use}]) had a Patient's phone
at 0 and a Practitioner's only email at 0 too. Now each label has its path
(`variables.[name=Email].value`, `telecom.[system=email].value`), judged by the label
as a column name is ('Full name' -> full_name, 'Age' and 'Plan' kept), and masking
leaves no original behind whatever the order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize.api import verify_report
from dbrefresh.rules.json_paths import find_paths, read_documents

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE "Result" (id text PRIMARY KEY, "typebotId" text NOT NULL, variables jsonb NOT NULL);
INSERT INTO "Result"
SELECT 'r' || i, 'bot' || i % 3, (
  SELECT jsonb_agg(v ORDER BY md5(i::text || v::text)) FROM jsonb_array_elements(jsonb_build_array(
    jsonb_build_object('id', 'vname', 'name', 'Full name', 'value',
        (ARRAY['Jennifer Lopez', 'Michael Brown', 'Sarah Miller', 'David Clark'])[1 + i % 4]),
    jsonb_build_object('id', 'vemail', 'name', 'Email',
        'value', 'lead' || i || '@mail.example.net'),
    jsonb_build_object('id', 'vtags', 'name', 'Interests',
        'value', jsonb_build_array('Pricing', 'Demo')),
    jsonb_build_object('id', 'vtel', 'name', 'Phones', 'value',
        jsonb_build_array('+1 555 01' || lpad(i::text, 2, '0'),
                          '+1 555 02' || lpad(i::text, 2, '0'))),
    jsonb_build_object('id', 'vplan', 'name', 'Plan', 'value', (ARRAY['Pro', 'Free'])[1 + i % 2]),
    jsonb_build_object('id', 'vage', 'name', 'Age', 'value', 20 + i))) AS e(v)
  WHERE i % 5 <> 0 OR v ->> 'name' <> 'Full name')
FROM generate_series(1, 60) i;
CREATE TABLE hfj_res_ver (pid bigint PRIMARY KEY, res_type varchar(40) NOT NULL, res_text_vc text);
INSERT INTO hfj_res_ver SELECT g, 'Patient', json_build_object('resourceType', 'Patient',
  'telecom', json_build_array(
     json_build_object('system', 'phone', 'value', '(555) 201-' || lpad(g::text, 4, '0'),
                       'use', 'home'),
     json_build_object('system', 'email', 'value', 'anna' || g || '@gmail.com')))::text
FROM generate_series(1, 60) g;
INSERT INTO hfj_res_ver SELECT g, 'Practitioner', json_build_object('resourceType', 'Practitioner',
  'telecom', json_build_array(json_build_object('system', 'email',
     'value', 'dr.jones' || g || '@stmarys-clinic.org', 'use', 'work')))::text
FROM generate_series(101, 130) g;
ANALYZE;
"""
KEPT = ("Interests", "Plan", "Age")


def _rows(dsn: str, sql: str) -> dict[Any, Any]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute(sql).fetchall())


def test_labelled_objects_get_one_path_per_label(make_db: Any, tmp_path: Path) -> None:
    dsn_orig = make_db(prefix="orig")
    with psycopg.connect(dsn_orig) as conn:
        conn.execute(SCHEMA)
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.Result", "variables")["paths"] == {
        "[name=Email].value": "email",
        "[name=Full name].value": "full_name",
        "[name=Phones].value": "phone",
    }, text
    note = "[name=...]: one path per label, every label of the whole table read; a label added"
    assert note in comment_of(text, "public.Result", "variables"), text
    assert rule_of(text, "public.hfj_res_ver", "res_text_vc")["paths"] == {
        "telecom.[system=email].value": "email",
        "telecom.[system=phone].value": "phone",
    }, text
    before = _rows(dsn_orig, 'SELECT id, variables FROM "Result"')
    after = _rows(dsn, 'SELECT id, variables FROM "Result"')
    originals = {json.dumps(v["value"]) for doc in before.values() for v in doc}
    for key, old_doc in before.items():
        new_doc = after[key]
        assert [(v["id"], v["name"]) for v in new_doc] == [(v["id"], v["name"]) for v in old_doc]
        for new, old in zip(new_doc, old_doc, strict=True):
            if old["name"] in KEPT:
                assert new == old  # tags, plans and ages kept wherever they sat
            else:
                assert json.dumps(new["value"]) not in originals, (old, new)
                assert type(new["value"]) is type(old["value"])
    texts = _rows(dsn_orig, "SELECT pid, res_text_vc FROM hfj_res_ver")
    masked = _rows(dsn, "SELECT pid, res_text_vc FROM hfj_res_ver")
    for pid, old_text in texts.items():
        old_tel, new_tel = json.loads(old_text)["telecom"], json.loads(masked[pid])["telecom"]
        assert [(t["system"], t.get("use")) for t in new_tel] == [
            (t["system"], t.get("use")) for t in old_tel
        ]
        for new, old in zip(new_tel, old_tel, strict=True):
            assert new["value"] != old["value"]
            assert ("@" in new["value"]) == (old["system"] == "email")  # no phone made an email
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    assert report.findings == []
    # an email written back at another index is counted under its label's path
    doc = after["r7"]
    at = next(n for n, v in enumerate(doc) if v["name"] == "Email")
    doc[at]["value"] = "lead7@mail.example.net"
    with psycopg.connect(dsn) as conn:
        conn.execute("""UPDATE "Result" SET variables = %s WHERE id = 'r7'""", (json.dumps(doc),))
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    assert report.findings
    assert report.leaks["public.Result.variables:[name=Email].value"] == 1
    assert report.leaks["public.Result.variables:[name=Phones].value"] == 0


def test_free_form_labels_stay_one_star_path() -> None:
    """A label met with many values (free-form keys, not a form's fields) is no
    discriminator: the values stay one `*.value` path, judged together as before."""
    docs = [
        json.dumps(
            [{"key": f"k{i}_{j}", "value": f"user{i}{j}@mail.example.org"} for j in range(2)]
        )
        for i in range(30)
    ]
    assert set(read_documents(docs).paths) == {"*.key", "*.value"}
    assert {f.path for f in find_paths(docs, "t")} == {"*.value"}
