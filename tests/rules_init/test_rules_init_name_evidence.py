"""A name-based rule no sampled value supports: `rules init` masked themes, dialling
codes, approval flags and key lifespans the application needs, and emptied a key's
SHA-256 as if it were a file about a person."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import name_evidence, pii

from .helpers import comment_of, generate_then_mask, masked_cases, rule_of, strategy_of


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("email", ["acme", "keycloak", "base"]),
        ("phone", ["32", "49", "33", "44"]),
        ("ip", ["unknown", "local", "n/a"]),
        ("free_text", ["1", "0", "1", "spam", "1"]),
        ("secret", ["True"]),
        ("full_name", ["yes", "no", "no"]),
        ("company", ["<20", "20-99", "100-499", "1000+", "10k+", "1-10 employees"]),
    ],
)
def test_values_that_deny_the_name(kind: str, values: list[str]) -> None:
    assert name_evidence.denial(kind, values) is not None


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("phone", ["4915112345678", "4917012345678", "4916098765432"]),  # bare E.164
        ("phone", ["5551234567", "acme", "n/a"]),  # one could be a number
        ("email", ["ann@example.org", "", "ben@example.org"]),
        ("national_id", ["X1234567", "RSSMRA85T10A562S", "12345678Z"]),
        ("phone", ["32", "49"]),  # too few to judge (an email needs one value: no '@')
        ("city", ["Tōkyō", "Ōsaka", "Kyōto"]),  # no shape: the name decides
        ("full_name", ["山田太郎", "佐藤花子", "鈴木一郎"]),
        ("free_text", ["1", "0", "called back, was happy", "1"]),
        ("company", ["20-99", "Acme GmbH", "1000+"]),  # one could be a company
    ],
)
def test_values_that_do_not(kind: str, values: list[str]) -> None:
    assert name_evidence.denial(kind, values) is None


@pytest.mark.parametrize(
    ("column", "table"),
    [
        ("phone_code", "public.res_country"),
        ("actionTokenGeneratedByAdminLifespan", "public.realm_attribute"),
        ("access_token_lifespan", "public.realm"),
    ],
)
def test_names_about_the_value_not_of_it(column: str, table: str) -> None:
    assert pii.match_name(column, table) is None


@pytest.mark.parametrize(
    "column", ["fingerprint_sha256", "photo_md5", "signature_sha1", "document_checksum"]
)
def test_digests_are_no_files(column: str) -> None:
    assert pii.match_file(column) is None


def test_columns_whose_values_deny_their_name_are_kept(make_db, tmp_path: Path) -> None:
    """Keycloak's themes and key lifespans, Odoo's dialling codes, WordPress's approval
    flags and a key's SHA-256 are kept (with a note where the name said otherwise);
    emails, bare phone numbers and names in a script the dictionaries lack are masked."""
    _, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE realm (id text PRIMARY KEY, email_theme text, login_theme text);"
        "INSERT INTO realm VALUES ('master', 'keycloak', 'keycloak'),"
        " ('acme', 'acme', 'acme'), ('shop', 'base', 'base'), ('b2b', 'acme', 'acme');"
        "CREATE TABLE realm_attribute (realm_id text, name varchar(255), value text,"
        " PRIMARY KEY (realm_id, name));"
        "INSERT INTO realm_attribute SELECT r, k, CASE k WHEN 'reset_password' THEN 'True'"
        "  WHEN 'actionTokenGeneratedByAdminLifespan' THEN '43200'"
        "  ELSE 'admin' || r || '@example.org' END"
        " FROM unnest(ARRAY['master', 'acme', 'shop', 'b2b']) r,"
        " unnest(ARRAY['reset_password', 'actionTokenGeneratedByAdminLifespan',"
        "  'admin_email']) k;"
        "CREATE TABLE res_country (id serial PRIMARY KEY, name text, phone_code int);"
        "INSERT INTO res_country (name, phone_code) VALUES ('Belgium', 32), ('Germany', 49),"
        " ('France', 33), ('United Kingdom', 44);"
        "CREATE TABLE wp_comments (comment_id serial PRIMARY KEY, comment_approved"
        " varchar(20), comment_content text);"
        "INSERT INTO wp_comments (comment_approved, comment_content)"
        " SELECT CASE WHEN i % 10 = 0 THEN 'spam' ELSE (i % 2)::text END, 'Nice post ' || i"
        " FROM generate_series(1, 100) i;"
        "CREATE TABLE keys (id serial PRIMARY KEY, fingerprint_sha256 bytea, photo bytea);"
        "INSERT INTO keys (fingerprint_sha256, photo) SELECT sha256(i::text::bytea),"
        " '\\x89504e47'::bytea FROM generate_series(1, 10) i;"
        "CREATE TABLE customers (id serial PRIMARY KEY, email text, phone text, name text);"
        "INSERT INTO customers (email, phone, name) SELECT 'c' || i || '@example.org',"
        " (4915112345000 + i)::text, (ARRAY['山田太郎', '佐藤花子', '鈴木一郎'])[1 + i % 3]"
        " FROM generate_series(1, 50) i",
    )
    assert strategy_of(text, "public.realm", "email_theme") == "keep"
    assert "none of 4 sampled values is an email address" in comment_of(
        text, "public.realm", "email_theme"
    )
    assert strategy_of(text, "public.res_country", "phone_code") == "keep"
    assert strategy_of(text, "public.wp_comments", "comment_approved") == "keep"
    assert "flags" in comment_of(text, "public.wp_comments", "comment_approved")
    value = rule_of(text, "public.realm_attribute", "value")
    assert masked_cases(value) == {"admin_email": "email"}, value
    assert strategy_of(text, "public.keys", "fingerprint_sha256") == "keep"
    assert strategy_of(text, "public.keys", "photo") == "null"
    assert strategy_of(text, "public.customers", "email") == "email"
    assert strategy_of(text, "public.customers", "phone") == "phone"
    assert strategy_of(text, "public.customers", "name") == "full_name"


@pytest.mark.parametrize(
    ("values", "denied"),
    [
        (["email"] * 20, True),
        (["email", "sms", "email", "email"], True),
        (["email"], True),  # a lower-case word is no street line, one row will do
        (["Home", "Work", "Home", "Home"], True),
        (["Via Roma 12", "Via Garibaldi 3", "Corso Italia 7"], False),
        (["Roma", "Garibaldi", "Cavour"], False),  # street names, each once
        ([f"strada{i}" for i in range(10)], False),  # too many different words
    ],
)
def test_street_denied_by_categories(values: list[str], denied: bool) -> None:
    assert (name_evidence.denial("street", values) is not None) is denied


def test_a_via_of_categories_is_kept(make_db, tmp_path: Path) -> None:
    """Kratos' identity_recovery_addresses.via ('email' on every row, unique with the
    address) got a unique hash as an Italian street: every `via = 'email'` lookup broke.
    A `via` holding street lines is still masked."""
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE identity_recovery_addresses (id serial PRIMARY KEY,"
        " via varchar(16) NOT NULL, value varchar(400) NOT NULL, UNIQUE (via, value));"
        "INSERT INTO identity_recovery_addresses (via, value)"
        " SELECT 'email', 'user' || i || '@mail.example' FROM generate_series(1, 300) i;"
        "CREATE TABLE indirizzi (id serial PRIMARY KEY, via text);"
        "INSERT INTO indirizzi (via) SELECT (ARRAY['Via Roma ', 'Corso Italia ',"
        " 'Viale Dante '])[1 + i % 3] || i FROM generate_series(1, 100) i",
    )
    assert strategy_of(text, "public.identity_recovery_addresses", "via") == "keep"
    assert "a category" in comment_of(text, "public.identity_recovery_addresses", "via")
    assert strategy_of(text, "public.identity_recovery_addresses", "value") == "email"
    assert strategy_of(text, "public.indirizzi", "via") != "keep"
    with psycopg.connect(dsn) as conn:
        found = conn.execute(
            "SELECT count(*) FROM identity_recovery_addresses WHERE via = 'email'"
        ).fetchone()
        assert found == (300,)


def test_company_size_bands_are_kept(make_db, tmp_path: Path) -> None:
    """n8n's user.personalizationAnswers {"companySize": "20-99"} got `company` for its
    key: the bands became company names. A column of them is kept too."""
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        'CREATE TABLE "user" (id serial PRIMARY KEY, "personalizationAnswers" json,'
        " company_size text);"
        'INSERT INTO "user" ("personalizationAnswers", company_size)'
        " SELECT json_build_object('companySize', b, 'companyName', c), b"
        " FROM generate_series(1, 100) i,"
        " LATERAL (SELECT (ARRAY['<20', '20-99', '100-499', '500-999', '1000+'])[1 + i % 5] b,"
        " (ARRAY['Acme GmbH', 'Miller LLC', 'Globex Inc'])[1 + i % 3] c) v",
    )
    rule = rule_of(text, "public.user", "personalizationAnswers")
    assert rule["paths"] == {"companyName": "company"}, rule
    assert strategy_of(text, "public.user", "company_size") == "keep"
    with psycopg.connect(dsn) as conn:
        found = conn.execute(
            """SELECT count(*) FROM "user" WHERE "personalizationAnswers"->>'companySize'"""
            " = company_size"
        ).fetchone()
    assert found == (100,)
