"""Columns holding another column of their row lower-cased (Gitea's user.lower_name =
lower(name), email_address.lower_email = lower(email)) must still hold it after masking,
with no original left in either: kept, every username survived in lower_name; masked
on its own, Gitea's lookups by lower_name found no one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report

from .helpers import comment_of, generate_and_compile, generate_then_mask, rule_of

GITEA_USERS = """
CREATE TABLE "user" (id int PRIMARY KEY, lower_name varchar(255) NOT NULL UNIQUE,
  name varchar(255) NOT NULL UNIQUE, full_name varchar(255), email varchar(255) NOT NULL);
INSERT INTO "user"
  SELECT g, lower(n), n, 'Person ' || g, lower(n) || '@mail.example'
    FROM (SELECT g, chr(65 + g % 26) || 'Harmon' || g AS n
            FROM generate_series(0, 59) g) s;
"""


def test_a_unique_lower_cased_login_is_rebuilt_from_the_masked_one(
    make_db: Any, tmp_path: Path
) -> None:
    """lower(hash) is the hash itself: `lower(masked name)` is as unique as the masked
    name, so the template may mask the unique lower_name."""
    dsn, text = generate_then_mask(make_db, tmp_path, GITEA_USERS)
    name = rule_of(text, "public.user", "name")
    assert name["strategy"] == "hash"
    prefix = str(name.get("prefix", ""))
    assert rule_of(text, "public.user", "lower_name") == {
        "strategy": "template",
        "template": f"{prefix.lower()}{{hash:name|lower}}",
    }, comment_of(text, "public.user", "lower_name")
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE lower_name <> lower(name)),"
            " count(*) FILTER (WHERE lower_name ~ 'harmon' OR name ~* 'harmon'),"
            ' count(DISTINCT lower_name), count(*) FROM "user"'
        ).fetchone()
    assert row == (0, 0, 60, 60)
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init").findings == []


GITEA_EMAILS = """
CREATE TABLE email_address (id int PRIMARY KEY, uid bigint NOT NULL,
  email varchar(255) NOT NULL UNIQUE, lower_email varchar(255) NOT NULL UNIQUE);
INSERT INTO email_address SELECT g, g, e, lower(e) FROM (SELECT g,
  CASE WHEN g % 3 = 0 THEN 'Person.Number' || g || '@Work.example'
       ELSE 'person' || g || '@mail.example' END e FROM generate_series(1, 60) g) s;
"""


def _assert_lower_email_holds(dsn: str, tmp_path: Path, table: str = "email_address") -> None:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            f"SELECT count(*) FILTER (WHERE lower_email <> lower(email)),"
            f" count(*) FILTER (WHERE email ~* 'person' OR lower_email ~* 'person'),"
            f" count(DISTINCT email), count(DISTINCT lower_email), count(*) FROM {table}"
        ).fetchone()
    assert row is not None and row[:2] == (0, 0) and row[2] == row[3] == row[4]
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init").findings == []


def test_an_address_and_its_lower_cased_copy_both_fold_case(make_db: Any, tmp_path: Path) -> None:
    """Gitea's email_address: masked independently, 20 of 60 rows ended with
    lower_email <> lower(email)."""
    dsn, text = generate_then_mask(make_db, tmp_path, GITEA_EMAILS)
    for column in ("email", "lower_email"):
        assert rule_of(text, "public.email_address", column) == {
            "strategy": "email",
            "unique": True,
            "fold_case": True,
        }, comment_of(text, "public.email_address", column)
    _assert_lower_email_holds(dsn, tmp_path)


def test_a_pair_sampled_all_in_lower_case_folds_by_its_names(make_db: Any, tmp_path: Path) -> None:
    """No capital letter in the rules init's sample: lower_email's name still says what
    it holds, and the capital letters of the other rows must still agree."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(GITEA_EMAILS.replace("g % 3 = 0", "g = 200"))
    text, _ = generate_and_compile(dsn, tmp_path)
    assert rule_of(text, "public.email_address", "lower_email")["fold_case"] is True
    assert rule_of(text, "public.email_address", "email")["fold_case"] is True
    with psycopg.connect(dsn) as conn:  # (a new user, after the rules were written)
        conn.execute(
            "INSERT INTO email_address VALUES (61, 61, 'Ann.Lee@Work.example',"
            " 'ann.lee@work.example')"
        )
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    _assert_lower_email_holds(dsn, tmp_path)


def test_a_case_sensitive_unique_address_with_a_plain_lower_copy_is_noted(
    make_db: Any, tmp_path: Path
) -> None:
    """email unique case-sensitively, its lower-cased copy not unique: 'A@x' and 'a@x'
    may both be there, and folding would collide; the copy says so instead."""
    schema = GITEA_EMAILS.replace("lower_email varchar(255) NOT NULL UNIQUE", "lower_email text")
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(schema)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert "fold_case" not in rule_of(text, "public.email_address", "email")
    note = comment_of(text, "public.email_address", "lower_email")
    assert note.count("REVIEW: lower(email)") == 1, note  # (by sample and by name: once)


def test_an_address_unique_in_lower_case_folds_case(make_db: Any, tmp_path: Path) -> None:
    schema = """
    CREATE EXTENSION IF NOT EXISTS citext;
    CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, backup_email citext);
    CREATE UNIQUE INDEX people_email ON people (lower(email));
    INSERT INTO people SELECT g, 'Person' || g || '@Mail.example', 'p' || g || '@Backup.example'
      FROM generate_series(1, 40) g;
    """
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    assert rule_of(text, "public.people", "email")["fold_case"] is True
    assert rule_of(text, "public.people", "backup_email")["fold_case"] is True
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE email <> lower(email) OR email ~* 'person'"
            " OR backup_email::text <> lower(backup_email::text)) FROM people"
        ).fetchone()
    assert row == (0,)


SHOP = """
CREATE TABLE customers (id int PRIMARY KEY, email varchar(255) NOT NULL {unique});
CREATE TABLE orders (id int PRIMARY KEY, email varchar(255) NOT NULL);
INSERT INTO customers SELECT g, 'Ann.Buyer' || g || '@Shop.example'
  FROM generate_series(1, 40) g;
INSERT INTO orders SELECT g, 'ann.buyer' || (1 + g % 40) || '@shop.example'
  FROM generate_series(1, 120) g;
"""


def test_addresses_meeting_only_case_folded_in_two_tables_fold_case(
    make_db: Any, tmp_path: Path
) -> None:
    """orders.email 'ann@x.org' against customers.email 'Ann@X.org': masked on their
    own, a case-insensitive join between them matched nothing."""
    dsn, text = generate_then_mask(make_db, tmp_path, SHOP.format(unique=""))
    for table in ("public.customers", "public.orders"):
        assert rule_of(text, table, "email")["fold_case"] is True, comment_of(text, table, "email")
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(c.id), count(*) FILTER (WHERE o.email ~* 'buyer')"
            " FROM orders o LEFT JOIN customers c ON lower(c.email) = o.email"
        ).fetchone()
    assert row == (120, 0)
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init").findings == []


def test_a_case_sensitive_unique_address_meeting_another_case_folded_is_noted(
    make_db: Any, tmp_path: Path
) -> None:
    """customers.email unique case-sensitively and holding 'Ann.Buyer1@Shop.example' and
    'ann.buyer1@shop.example': folding would collide, a REVIEW note says so."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SHOP.format(unique="UNIQUE"))
        conn.execute("INSERT INTO customers VALUES (41, 'ann.buyer1@shop.example')")
    text, _ = generate_and_compile(dsn, tmp_path)
    assert "fold_case" not in rule_of(text, "public.orders", "email")
    note = comment_of(text, "public.orders", "email")
    assert "REVIEW: meets public.customers.email only case-insensitively" in note
    assert "holds addresses differing only in case" in note


def test_a_unique_address_without_case_variants_folds_for_a_join(
    make_db: Any, tmp_path: Path
) -> None:
    """Kratos' identity_credential_identifiers.identifier is unique case-sensitively and
    all lower case, identities.email keeps the user's case: no two identifiers differ
    only in case, so folding cannot collide, yet a REVIEW note said it would and the
    join `identifier = lower(email)` went from 1500 rows to none."""
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE identities (id uuid PRIMARY KEY, email text);"
        "INSERT INTO identities SELECT md5('i' || g)::uuid, (ARRAY['Anna', 'BEN', 'carl'])"
        "[1 + g % 3] || '.User' || g || '@Mail.Example' FROM generate_series(1, 1500) g;"
        "CREATE TABLE identity_credential_identifiers (id uuid PRIMARY KEY,"
        " identifier varchar(255) NOT NULL UNIQUE, identity_id uuid REFERENCES identities);"
        "INSERT INTO identity_credential_identifiers"
        " SELECT md5('c' || id::text)::uuid, lower(email), id FROM identities",
    )
    for table, column in (
        ("public.identities", "email"),
        ("public.identity_credential_identifiers", "identifier"),
    ):
        assert rule_of(text, table, column)["fold_case"] is True, comment_of(text, table, column)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM identities i JOIN identity_credential_identifiers c"
            " ON c.identifier = lower(i.email) WHERE c.identity_id = i.id"
        ).fetchone()
    assert row == (1500,)
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init").findings == []


KRATOS = """
CREATE TABLE identities (id uuid PRIMARY KEY, traits jsonb NOT NULL);
INSERT INTO identities SELECT md5('i' || g)::uuid, jsonb_build_object('email',
  (ARRAY['Anna', 'BEN', 'carl'])[1 + g % 3] || '.User' || g || '@Mail.Example')
  FROM generate_series(1, 1500) g;
CREATE TABLE identity_credential_identifiers (id uuid PRIMARY KEY,
  identifier varchar(255) NOT NULL UNIQUE, identity_id uuid REFERENCES identities);
INSERT INTO identity_credential_identifiers
  SELECT md5('c' || id::text)::uuid, lower(traits->>'email'), id FROM identities;
"""


def test_an_address_meeting_a_json_path_case_folded_folds_both(
    make_db: Any, tmp_path: Path
) -> None:
    """Kratos' traits->>'email' keeps the user's case, identifier is it lower-cased:
    both got `{email, unique: true}` without fold_case or a note, and the join
    `identifier = lower(traits->>'email')` went from 1500 rows to none."""
    dsn, text = generate_then_mask(make_db, tmp_path, KRATOS)
    identifier = rule_of(text, "public.identity_credential_identifiers", "identifier")
    assert identifier["fold_case"] is True
    traits = rule_of(text, "public.identities", "traits")
    assert traits["paths"]["email"]["fold_case"] is True, traits
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE c.identifier ~ 'user')"
            " FROM identities i JOIN identity_credential_identifiers c"
            " ON c.identifier = lower(i.traits->>'email') AND c.identity_id = i.id"
        ).fetchone()
    assert row == (1500, 0)
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init").findings == []


def test_a_unique_address_with_case_variants_meeting_a_json_path_is_noted(
    make_db: Any, tmp_path: Path
) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(KRATOS)
        conn.execute(
            "INSERT INTO identity_credential_identifiers VALUES"
            " (md5('x')::uuid, 'Anna.User3@mail.example', NULL)"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert "fold_case" not in rule_of(text, "public.identity_credential_identifiers", "identifier")
    note = comment_of(text, "public.identity_credential_identifiers", "identifier")
    assert "REVIEW: meets public.identities.traits at email only case-insensitively" in note
    assert "REVIEW: email: meets public.identity_credential_identifiers.identifier" in (
        comment_of(text, "public.identities", "traits")
    )
