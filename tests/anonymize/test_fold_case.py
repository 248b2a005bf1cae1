"""Case-folded copies stay case-folded copies after masking.

email's `fold_case` masks case variants of an address alike, in lower case: Gitea's
email_address.lower_email = lower(email) held in 20 of 60 rows only once the two were
masked independently. On a column unique case-sensitively holding 'A@x' and 'a@x' it
would collide, and anonymize refuses the table before changing anything.
A template hashing another column that differs in every row is as unique as that
column (lower() of hex is the hex), so it may mask a unique lower_name; over a column
that may repeat (nullable, not unique) it is still refused as lossy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.errors import MaskingRefused
from tests.anonymize.helpers import db_with_rules, fingerprint, mask_and_verify, refused_findings

GITEA_EMAILS = """
CREATE TABLE email_address (id int PRIMARY KEY, uid bigint NOT NULL,
  email varchar(255) NOT NULL UNIQUE, lower_email varchar(255) NOT NULL UNIQUE);
INSERT INTO email_address SELECT g, g, e, lower(e) FROM (SELECT g,
  CASE WHEN g % 3 = 0 THEN 'Person.Number' || g || '@Work.example'
       ELSE 'person' || g || '@mail.example' END e FROM generate_series(1, 60) g) s;
CREATE TABLE orders (id int PRIMARY KEY, email varchar(255));
INSERT INTO orders SELECT g, lower(e) FROM (SELECT g, CASE WHEN g % 3 = 0
  THEN 'Person.Number' || g || '@Work.example' ELSE 'person' || g || '@mail.example' END e
  FROM generate_series(1, 60) g) s;
"""
FOLDED_RULES = """version: 1
tables:
  public.email_address:
    columns:
      id: keep
      uid: keep
      email: {strategy: email, unique: true, fold_case: true}
      lower_email: {strategy: email, unique: true, fold_case: true}
  public.orders:
    columns:
      id: keep
      email: {strategy: email, unique: true, fold_case: true}
"""


def test_lower_email_stays_lower_of_email(make_db: Any, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, GITEA_EMAILS, FOLDED_RULES, "r.yaml")
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE lower_email <> lower(email)),"
            " count(*) FILTER (WHERE email ~* 'person' OR lower_email ~* 'person'),"
            " count(DISTINCT email), count(DISTINCT lower_email) FROM email_address"
        ).fetchone()
        # a case-insensitive join between tables still matches
        joined = conn.execute(
            "SELECT count(*) FROM orders o JOIN email_address a ON lower(a.email) = o.email"
        ).fetchone()
    assert row == (0, 0, 60, 60)
    assert joined == (60,)


def test_fold_case_on_a_column_holding_case_variants_is_refused(
    make_db: Any, tmp_path: Path
) -> None:
    schema = """
    CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL UNIQUE);
    INSERT INTO accounts VALUES (1, 'Ann@X.example'), (2, 'ann@x.example'), (3, 'bo@x.example');
    """
    rules_text = """version: 1
tables:
  public.accounts:
    columns:
      id: keep
      email: {strategy: email, unique: true, fold_case: true}
"""
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "r.yaml")
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(MaskingRefused, match="email: fold_case masks values differing only"):
        anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(dsn) == before
    with psycopg.connect(dsn) as conn:  # without the variant, it masks
        conn.execute("DELETE FROM accounts WHERE id = 2")
    anonymize(dsn, [rules], seed="s", progress=False)


LOGINS = """
CREATE TABLE users (id int PRIMARY KEY, name varchar(255) {name},
  lower_name varchar(255) NOT NULL UNIQUE);
INSERT INTO users SELECT g, 'User' || g, 'user' || g FROM generate_series(1, 50) g;
"""
LOGIN_RULES = """version: 1
tables:
  public.users:
    columns:
      id: keep
      name: {strategy: hash, prefix: u, unique: true}
      lower_name: {strategy: template, template: 'u{hash:name|lower}'}
"""


def test_a_template_over_a_unique_column_may_mask_a_unique_one(
    make_db: Any, tmp_path: Path
) -> None:
    schema = LOGINS.format(name="NOT NULL UNIQUE")
    dsn, rules = db_with_rules(make_db, tmp_path, schema, LOGIN_RULES, "r.yaml")
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE lower_name <> lower(name)),"
            " count(*) FILTER (WHERE lower_name ~ 'user' OR name ~* 'user'),"
            " count(DISTINCT lower_name) FROM users"
        ).fetchone()
    assert row == (0, 0, 50)


@pytest.mark.parametrize("name", ["UNIQUE", "NOT NULL"])
def test_a_template_over_a_column_that_may_repeat_stays_refused(
    make_db: Any, tmp_path: Path, name: str
) -> None:
    """Nullable (every NULL gives the same 'u'), or not unique: the template may
    collide on the unique lower_name."""
    rules_text = LOGIN_RULES.replace("prefix: u, unique: true", "prefix: u")
    dsn, rules = db_with_rules(make_db, tmp_path, LOGINS.format(name=name), rules_text, "r.yaml")
    findings = refused_findings(dsn, rules)
    assert [f.code for f in findings] == ["lossy-on-unique"], findings


def test_fold_case_in_a_switch_case_is_refused_on_case_variants(
    make_db: Any, tmp_path: Path
) -> None:
    """A switch passes its cases' refusals on: unchecked, the case variants collided
    on the unique index only at the swap."""
    schema = """
    CREATE TABLE settings (id int PRIMARY KEY, k text NOT NULL, v text UNIQUE);
    INSERT INTO settings VALUES (1, 'email', 'Ann@X.example'), (2, 'email', 'ann@x.example'),
      (3, 'theme', 'dark');
    """
    rules_text = """version: 1
tables:
  public.settings:
    columns:
      id: keep
      k: keep
      v:
        strategy: switch
        by: k
        cases:
          email: {strategy: email, unique: true, fold_case: true}
        default: keep
"""
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "r.yaml")
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(MaskingRefused, match="v: fold_case masks values differing only"):
        anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(dsn) == before
