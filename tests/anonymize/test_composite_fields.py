"""`composite`: a value of a composite type masked field by field.

A column `home_address postal_address` could only be kept whole (a leak) or emptied:
no text strategy fits a row type. Its listed fields are masked each by its strategy,
as a column of the field's type would be, the others kept; verify samples each listed
field apart (docs/strategies.md, "composite").
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import db_with_rules, mask_and_verify, refused_findings, run_cli

# zip is a domain with a CHECK, country a varchar(2) kept; a domain over the type
# checks the whole value; a table CHECK reads a field. Row 1 has no address, row 2 a
# row of NULL fields, every seventh a NULL city, every eleventh a blank street.
SCHEMA = """
CREATE DOMAIN zip_code AS text CHECK (length(VALUE) BETWEEN 3 AND 10);
CREATE TYPE postal_address AS (street text, city varchar(40), zip zip_code, country char(2));
CREATE DOMAIN checked_address AS postal_address
    CHECK ((VALUE).city IS NOT NULL OR (VALUE).street IS NULL OR (VALUE).street = '');
CREATE TYPE money_amount AS (amount numeric(12, 2), currency char(3));
CREATE TABLE contacts (
    id int PRIMARY KEY,
    home_address postal_address CHECK ((home_address).country IS NULL
                                       OR length((home_address).country) = 2),
    billing checked_address,
    balance money_amount
);
INSERT INTO contacts
SELECT i,
       CASE WHEN i = 1 THEN NULL WHEN i = 2 THEN ROW(NULL, NULL, NULL, NULL)::postal_address
            ELSE ROW(CASE WHEN i % 11 = 0 THEN '' ELSE i || ' Main Street' END,
                     CASE WHEN i % 7 = 0 THEN NULL ELSE 'Springfield ' || i END,
                     lpad(i::text, 5, '0'), 'US')::postal_address END,
       ROW(i || ' Billing Road', 'Shelbyville ' || i, lpad(i::text, 5, '0'), 'CA')::checked_address,
       ROW(i * 1.5, 'EUR')::money_amount
  FROM generate_series(1, 200) i;
"""

RULES = """version: 1
tables:
  public.contacts:
    columns:
      id: keep
      home_address: {strategy: composite, fields: {street: street, city: city, zip: postcode}}
      billing: {strategy: composite, fields: {street: street, city: city}}
      balance: keep
"""


def _rows(dsn: str, query: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchall()


def test_listed_fields_are_masked_the_others_kept(make_db, tmp_path: Path) -> None:
    """Street, city and zip of every address change, its country stays; NULL stays NULL,
    a row of NULL fields stays one, a NULL city stays NULL and a blank street blank;
    the domains and CHECKs on the type hold, and verify finds no leak."""
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "rules.yaml")
    before = dict(_rows(dsn, "SELECT id, home_address::text FROM contacts"))
    original = _rows(
        dsn,
        "SELECT id, (home_address).street, (home_address).city, (home_address).zip,"
        " (billing).street, (billing).city, (billing).zip, balance::text"
        " FROM contacts ORDER BY id",
    )
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    assert report.total_leaks == 0
    masked = _rows(
        dsn,
        "SELECT id, (home_address).street, (home_address).city, (home_address).zip,"
        " (billing).street, (billing).city, (billing).zip, balance::text, home_address IS NULL,"
        " num_nulls(home_address), (home_address).country FROM contacts ORDER BY id",
    )
    for old, new in zip(original, masked, strict=True):
        row_id = old[0]
        if row_id == 1:
            assert new[8] and new[9] == 1  # NULL stays NULL
            continue
        if row_id == 2:
            assert new[8] and new[9] == 0  # a row of NULL fields stays one
            continue
        street, city, zip_code = new[1:4]
        assert street == "" if row_id % 11 == 0 else street not in (None, old[1])
        assert city is None if row_id % 7 == 0 else city not in (None, old[2])
        assert zip_code != old[3] and 3 <= len(zip_code) <= 10  # the domain's CHECK holds
        assert new[10] == "US"  # not listed: kept
        assert new[4] != old[4] and new[5] != old[5] and new[6] == old[6]  # billing's zip kept
        assert new[7] == old[7]  # the money-like value, kept
    after = dict(_rows(dsn, "SELECT id, home_address::text FROM contacts"))
    assert sum(before[i] == after[i] for i in before) == 2  # the NULL ones only
    # every address with a field to mask, a NULL city or none (its IS NOT NULL is false)
    assert report.sampled["public.contacts.home_address"] == 198
    assert report.sampled["public.contacts.home_address:street"] > 150
    assert report.sampled["public.contacts.home_address:zip"] == 198
    assert report.sampled["public.contacts.billing:city"] == 200


def test_a_field_whose_rule_keeps_it_is_counted_apart(make_db, tmp_path: Path) -> None:
    """A field rule giving the value back (an `sql` expression reading a copy of the zip
    the application keeps) while the other fields change the value: verify names the
    column and the field."""
    rules = RULES.replace("zip: postcode", "zip: {strategy: sql, expression: zip_copy}")
    rules = rules.replace("      id: keep\n", "      id: keep\n      zip_copy: keep\n")
    schema = SCHEMA + (
        "ALTER TABLE contacts ADD COLUMN zip_copy text;"
        "UPDATE contacts SET zip_copy = (home_address).zip;"
    )
    dsn, path = db_with_rules(make_db, tmp_path, schema, rules, "rules.yaml")
    report = mask_and_verify(dsn, path)
    messages = [f.message for f in report.findings if f.code == "leak"]
    assert messages == [
        # 77 and 154: a blank street and a NULL city, so the zip was all there was
        "public.contacts.home_address: 2 original value(s) survived masking",
        "public.contacts.home_address: path zip: 198 original value(s) survived masking",
    ]


def test_a_surviving_field_written_back_is_found(make_db, tmp_path: Path) -> None:
    """An original street written back into one masked row afterwards: verify counts it."""
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "rules.yaml")
    (street,) = _rows(dsn, "SELECT (home_address).street FROM contacts WHERE id = 3")[0]
    mask_and_verify(dsn, rules)
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE contacts SET home_address.street = %s WHERE id = 3", (street,))
    report = verify_report(dsn, [rules], seed="s")
    assert [f.message for f in report.findings] == [
        "public.contacts.home_address: path street: 1 original value(s) survived masking"
    ]


def test_fields_that_cannot_fit_are_refused_at_their_rule(make_db, tmp_path: Path) -> None:
    """A field strategy producing another type, a field the type does not have, a
    composite rule on another type and on an array of a composite: refused by the
    compiler at the rule's line, before anything changes."""
    schema = SCHEMA + "ALTER TABLE contacts ADD COLUMN old_addresses postal_address[];"
    rules = (
        RULES.replace("zip: postcode", "zip: postcode, country: {strategy: date_shift}")
        .replace("city: city}}\n", "town: city}}\n")
        .replace("balance: keep", "balance: {strategy: composite, fields: {amount: email}}")
        + "      old_addresses: {strategy: composite, fields: {street: street}}\n"
    )
    dsn, path = db_with_rules(make_db, tmp_path, schema, rules, "rules.yaml")
    found = sorted((f.location.line, f.message) for f in refused_findings(dsn, path))
    assert [line for line, _ in found] == [6, 7, 8, 9]
    messages = [m for _, m in found]
    assert messages[0].startswith("composite cannot mask postal_address: field country: date_shift")
    assert "has no field 'town' (its fields: street, city, zip, country)" in messages[1]
    assert "field amount: email" in messages[2]
    assert "not an array of them" in messages[3]


def test_a_field_rule_breaking_a_domain_is_refused_by_the_preflight(
    make_db, tmp_path: Path
) -> None:
    """A field strategy whose values break the field's domain CHECK stops anonymize
    before anything changes (its preflight tests the masked sample), not at the swap."""
    rules = RULES.replace("zip: postcode", "zip: {strategy: constant, value: 'x'}")
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, rules, "rules.yaml")
    before = _rows(dsn, "SELECT home_address::text FROM contacts ORDER BY id")
    mark_clone(dsn)
    try:
        anonymize(dsn, [path], seed="s", progress=False)
    except Exception as exc:  # the run's own error, naming the domain's check
        assert "zip_code" in str(exc)
    else:
        raise AssertionError("anonymize masked values its domain refuses")
    assert _rows(dsn, "SELECT home_address::text FROM contacts ORDER BY id") == before


def test_rules_check_names_the_composite_whose_field_breaks_a_domain(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules check --dsn` evaluates a field's domain CHECK on masked values too, and
    names the column whose rule breaks it (billing's zip, of the same domain, is kept)."""
    rules = RULES.replace("zip: postcode", "zip: {strategy: constant, value: 'x'}")
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, rules, "rules.yaml")
    result = run_cli(capsys, "rules", "check", str(path), "--dsn", dsn)
    assert result.code != 0
    errors = [line for line in (result.out + result.err).splitlines() if "error" in line]
    assert len(errors) == 1
    assert "rules.yaml:6: public.contacts.home_address: composite: masked values break" in errors[0]
    assert 'check constraint "zip_code_check" of domain zip_code' in errors[0]
