"""verify's scan of addresses anywhere in a document skips those its rules keep.

rules init gives every email rule `keep: [noreply, postmaster, ...]` where it samples
role addresses (role_addresses.py), at JSON paths too. anonymize kept them, as designed,
and the scan of the documents' addresses (`**`) counted them as survivors: "3 original
email address(es) of the sampled documents survived", verify failing on rules init's
own output. Other addresses still count, under the listed path or any other.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify_report
from tests.anonymize.helpers import db_with_rules, mask_and_verify

# rows 1-10: a role address (in any case); 11-40: a person's
SCHEMA = """
CREATE TABLE contacts (id int PRIMARY KEY, methods jsonb);
INSERT INTO contacts SELECT i, jsonb_build_array(jsonb_build_object('type', 'email',
  'value', CASE WHEN i <= 5 THEN 'noreply@corp.example.org'
                WHEN i <= 10 THEN 'Postmaster@corp.example.org'
                ELSE format('ann%s@orig-mail.example.org', i) END),
  jsonb_build_object('type', 'phone', 'value', '+1 202 555 01' || lpad(i::text, 2, '0')))
  FROM generate_series(1, 40) i;
"""
RULES = """version: 1
tables:
  public.contacts:
    columns:
      id: keep
      methods:
        strategy: jsonb
        paths:
          '[type=email].value': {strategy: email, unique: true, keep: [noreply, postmaster]}
          '[type=phone].value': phone
"""
ANYWHERE = "public.contacts.methods:**"


def test_role_addresses_kept_at_a_path_are_no_leak(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "rules.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    assert report.sampled[ANYWHERE] == 30  # the people's addresses, not the kept ones
    assert report.leaks[ANYWHERE] == 0
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM contacts WHERE methods @> "
            """'[{"value": "noreply@corp.example.org"}]' OR methods @> """
            """'[{"value": "Postmaster@corp.example.org"}]'"""
        ).fetchone()
        people = conn.execute(
            "SELECT count(*) FROM contacts WHERE methods::text LIKE '%orig-mail%'"
        ).fetchone()
    assert kept == (10,)  # anonymize kept them
    assert people == (0,)


def test_other_addresses_still_count(make_db, tmp_path: Path) -> None:
    """A person's address under a key no rule lists, and one written back at the listed
    path, survive; the kept role addresses still do not count."""
    schema = SCHEMA + (
        "UPDATE contacts SET methods = methods || jsonb_build_array(jsonb_build_object("
        "'cc', format('bo%s@orig-mail.example.org', id))) WHERE id <= 20;"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, RULES, "rules.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.sampled[ANYWHERE] == 50
    assert report.leaks[ANYWHERE] == 20  # the unlisted cc addresses
    with psycopg.connect(dsn) as conn:  # a masked address written back
        conn.execute(
            "UPDATE contacts SET methods = jsonb_set(methods, '{0,value}', "
            """'"ann33@orig-mail.example.org"') WHERE id = 33"""
        )
    report = verify_report(dsn, [rules], seed="s")
    assert report.leaks[ANYWHERE] == 21
    assert report.leaks["public.contacts.methods:[type=email].value"] == 1
