"""Personal data and secrets `rules init` kept silently on schemas modelled on
Mattermost, Odoo, Redmine, Keycloak and Magento: credentials named by compound words,
tax and national id numbers, attachment files, a file store path read as a first name,
themes read as emails and logins, and people named outside sentences."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import name_evidence, people_lines, pii
from dbrefresh.rules.push_tokens import match_push_tokens

from .helpers import comment_of, generate_then_mask, masked_cases, rule_of, strategy_of


@pytest.mark.parametrize(
    ("column", "table"),
    [
        ("mfasecret", "public.users"),  # Mattermost: TOTP seeds
        ("twofa_totp_key", "public.users"),  # Redmine
        ("bindCredential", "public.component_config"),  # Keycloak's LDAP bind password
        ("deviceToken", "public.devices"),
        ("otp_seed", "public.accounts"),
        ("userpwd", "public.logins"),
        ("smtppasswordhash", "public.settings"),
    ],
)
def test_credential_words_inside_compound_names(column: str, table: str) -> None:
    found = pii.match_name(column, table)
    assert found is not None and found.kind == "secret", found


@pytest.mark.parametrize(
    "column",
    [
        "secretary",
        "tokenizer",
        "token_count",
        "tokens_used",
        "password_changed_at",
        "passwd_changed_on",
        "credential_type",
        "credential_data",  # Keycloak: the algorithm's parameters, not the secret
        "twofa_totp_last_used_at",
        "secretSize",
        "login_theme",  # Keycloak's realm: 'keycloak', a look
    ],
)
def test_names_about_a_credential_are_none(column: str) -> None:
    assert pii.match_name(column, "public.things") is None


@pytest.mark.parametrize(
    ("column", "table"),
    [
        ("vat", "public.res_partner"),  # Odoo
        ("taxvat", "public.customer_entity"),  # Magento
        ("vat_id", "public.customer_address_entity"),
        ("customer_taxvat", "public.sales_order"),
        ("identification_id", "public.hr_employee"),  # Odoo: a national id number
        ("ssnid", "public.hr_employee"),
        ("ssnit", "public.employees"),
        ("nin", "public.employees"),
        ("national_id", "public.employees"),
        ("passport_number", "public.employees"),
        ("id_number", "public.employees"),
        ("tax_id", "public.employees"),
        ("tin", "public.employees"),
    ],
)
def test_tax_and_national_id_numbers_by_name(column: str, table: str) -> None:
    found = pii.match_name(column, table)
    assert found is not None and found.kind == "national_id", found


@pytest.mark.parametrize("column", ["vat_rate", "vat_amount", "vat_is_valid", "vat_request_date"])
def test_names_about_a_tax_number_are_none(column: str) -> None:
    assert pii.match_name(column, "public.customer_address_entity") is None


@pytest.mark.parametrize("column", ["db_datas", "datas", "file_data", "content", "blob", "file"])
def test_stored_files_by_name(column: str) -> None:
    assert pii.match_file(column) is not None


@pytest.mark.parametrize("column", ["content_sha256", "file_md5", "content_hash", "content_type"])
def test_digests_of_stored_files_are_none(column: str) -> None:
    assert pii.match_file(column) is None


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("first_name", ["ab/abcdef0123456789", "cd/cd0123456789ab", "ef/ef0123456789ab"]),
        ("full_name", ["0123456789abcdef", "1234", "e3b0c442-98fc-1c14"]),
        ("email", ["acme"]),  # one theme of a realm: plainly no email address
        ("email", ["acme", "keycloak"]),
    ],
)
def test_values_that_cannot_be_the_kind(kind: str, values: list[str]) -> None:
    assert name_evidence.denial(kind, values) is not None


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("first_name", ["ab/abcdef0123456789", "Anna", "cd/cd0123456789ab"]),
        ("full_name", ["山田太郎", "佐藤花子", "鈴木一郎"]),
        ("last_name", ["O'Brien", "Müller-Lüdenscheidt", "de Vries"]),
        ("email", ["anna@example.org"]),
    ],
)
def test_values_that_could_be_the_kind(kind: str, values: list[str]) -> None:
    assert name_evidence.denial(kind, values) is None


FIRST = ["Anna", "John", "Marie", "Jan", "Lucia", "Carlos", "Emma", "Oliver", "Sophie", "Karl"]
LAST = ["Schmidt", "Miller", "Dubois", "Kowalski", "Rossi", "Garcia", "Smith", "Martin"]
PEOPLE = [f"{f} {last}" for f in FIRST for last in LAST]


def test_full_names_in_a_third_of_the_values_are_masked() -> None:
    record_names = [p if i % 3 == 0 else f"S{i:05d}" for i, p in enumerate(PEOPLE * 3)]
    kind, why = people_lines.judge(record_names)
    assert kind == "full_name", why
    assert why == [
        "80 of 240 sampled values name people (80 different; 80 a full name, 0 a line naming one)"
    ]


def test_lines_naming_people_are_masked() -> None:
    subjects = [
        f"Re: Quotation for {p}" if i % 4 == 0 else f"S{i:05d}" for i, p in enumerate(PEOPLE)
    ]
    files = [f"Lebenslauf {p}.docx" for p in PEOPLE]
    assert people_lines.judge(subjects)[0] == "free_text"
    assert people_lines.judge(files)[0] == "free_text"


def test_titles_mixing_names_lines_and_words_get_lorem() -> None:
    """Directus' directus_files.title: 'Anna Schmidt Passport' as often as 'Cv Anna
    Schmidt', and plain words ('Success', 'Wohnung') in half the rows, got `full_name`:
    every word became a person. Titles are masked as text; full names alone stay names."""
    words = ["Success", "Wohnung", "Couple", "Sunset", "Office", "Holiday", "Report", "Team"]
    titles = [
        f"{p} Passport" if i % 4 == 0 else f"Cv {p}" if i % 4 == 1 else words[i % 8]
        for i, p in enumerate(PEOPLE * 2)
    ]
    kind, why = people_lines.judge(titles)
    assert kind == "free_text", why
    assert "40 a full name, 40 a line naming one" in why[0], why
    names = [
        p if i % 4 == 0 else f"Cv {p}" if i % 8 == 1 else words[i % 8]
        for i, p in enumerate(PEOPLE * 2)
    ]
    assert people_lines.judge(names)[0] == "full_name"


def test_a_few_people_named_earn_a_review_note() -> None:
    kind, why = people_lines.judge([*PEOPLE[:4], *(f"S{i:05d}" for i in range(60))])
    assert kind is None
    assert why and why[0].startswith("REVIEW: 4 of 64 sampled values name people (4 different")


def test_credits_categories_and_one_designer_are_kept_silently() -> None:
    composers = [f"{a}, {b}" for a, b in zip(PEOPLE, reversed(PEOPLE), strict=True)] + PEOPLE[:20]
    designer = [f"Designed by Paul Smith, model {i}" for i in range(200)]
    colours = ["Rose", "Violet", "Olive", "Amber", "Ruby"] * 40
    for values in (composers, designer, colours):
        assert people_lines.judge(values) == (None, [])


def test_push_tokens_are_credentials() -> None:
    tokens = ["", "apple_rn-v2:" + "ab12" * 16, "android_rn-v2:" + "cD3_-x" * 20, ""]
    found = match_push_tokens(tokens)
    assert found is not None and found.kind == "secret"
    assert match_push_tokens(["iphone", "android", "web"]) is None


SCHEMA = """
CREATE TABLE users (id varchar(26) PRIMARY KEY, mfasecret varchar(128),
  twofa_totp_key varchar, password_changed_at varchar, secretary text);
INSERT INTO users SELECT 'u' || i, CASE WHEN i % 2 = 0 THEN 'JBSWY3DPEHPK3PXP' || i END,
  'TOTPKEY' || i || 'ABCDEFGH', '2024-01-0' || (1 + i % 9), 'Office ' || i
  FROM generate_series(1, 40) i;
CREATE TABLE sessions (id varchar(26) PRIMARY KEY, deviceid text);
INSERT INTO sessions SELECT 's' || i, CASE WHEN i % 2 = 0 THEN ''
  ELSE 'apple_rn-v2:' || md5(i::text) || md5((i + 1)::text) END FROM generate_series(1, 40) i;
CREATE TABLE component_config (id serial PRIMARY KEY, name varchar(255) NOT NULL, value text);
INSERT INTO component_config (name, value) SELECT n, v FROM generate_series(1, 3),
  (VALUES ('bindDn', 'cn=admin,dc=acme,dc=org'), ('bindCredential', 'S3cr3t-LDAP-pa55!'),
   ('vendor', 'other')) x(n, v);
CREATE TABLE res_partner (id serial PRIMARY KEY, vat varchar, vat_rate numeric);
INSERT INTO res_partner (vat, vat_rate) SELECT 'DE' || (123456700 + i), 19
  FROM generate_series(1, 40) i;
CREATE TABLE hr_employee (id serial PRIMARY KEY, identification_id varchar);
INSERT INTO hr_employee (identification_id) SELECT (987654300 + i)::text
  FROM generate_series(1, 40) i;
CREATE TABLE ir_attachment (id serial PRIMARY KEY, store_fname varchar, checksum varchar(40),
  db_datas bytea);
INSERT INTO ir_attachment (store_fname, checksum, db_datas) SELECT
  substr(md5(i::text), 1, 2) || '/' || md5(i::text), md5(i::text),
  convert_to('%PDF-1.4 contract ' || i, 'UTF8') FROM generate_series(1, 40) i;
CREATE TABLE realm (id varchar(36) PRIMARY KEY, email_theme varchar(255),
  login_theme varchar(255));
INSERT INTO realm VALUES ('master', NULL, NULL), ('acme', 'acme', 'keycloak');
CREATE TABLE core_config_data (config_id serial PRIMARY KEY, path varchar(255), value text);
INSERT INTO core_config_data (path, value) VALUES ('general/store_information/name', 'Acme'),
  ('trans_email/ident_general/email', 'owner@example.org'),
  ('trans_email/ident_general/name', 'Hans Owner');
"""


def test_rules_init_masks_what_it_kept(make_db, tmp_path: Path) -> None:
    people = ", ".join(f"'{p}'" for p in PEOPLE)
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        SCHEMA + "CREATE TABLE mail_message (id serial PRIMARY KEY, record_name varchar,"
        " subject varchar);"
        "INSERT INTO mail_message (record_name, subject) SELECT"
        " CASE WHEN i % 3 = 0 THEN p ELSE 'S' || lpad(i::text, 5, '0') END,"
        " CASE WHEN i % 4 = 0 THEN 'Re: Quotation for ' || p END"
        f" FROM unnest(ARRAY[{people}]) WITH ORDINALITY AS x(p, i)",
    )
    for column in ("mfasecret", "twofa_totp_key"):
        assert strategy_of(text, "public.users", column) == "hash"
    for column in ("password_changed_at", "secretary"):
        assert strategy_of(text, "public.users", column) == "keep"
    assert strategy_of(text, "public.sessions", "deviceid") == "hash"
    assert rule_of(text, "public.component_config", "value")["cases"] == {"bindCredential": "hash"}
    assert strategy_of(text, "public.res_partner", "vat") == "digits"
    assert strategy_of(text, "public.res_partner", "vat_rate") == "keep"
    assert strategy_of(text, "public.hr_employee", "identification_id") == "digits"
    assert strategy_of(text, "public.ir_attachment", "db_datas") == "null"
    assert strategy_of(text, "public.ir_attachment", "store_fname") == "keep"
    assert "is a first name" in comment_of(text, "public.ir_attachment", "store_fname")
    assert strategy_of(text, "public.realm", "email_theme") == "keep"
    assert strategy_of(text, "public.realm", "login_theme") == "keep"
    # one value without an '@' is no email, but under a key ending in `name` a person's
    config = masked_cases(rule_of(text, "public.core_config_data", "value"))
    assert config == {
        "trans_email/ident_general/email": "email",
        "trans_email/ident_general/name": "full_name",
    }
    assert strategy_of(text, "public.mail_message", "record_name") == "full_name"
    assert strategy_of(text, "public.mail_message", "subject") == "lorem"
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT (SELECT count(*) FROM users WHERE mfasecret LIKE 'JBSWY3DPEHPK3PXP%'"
            "   OR twofa_totp_key LIKE 'TOTPKEY%'),"
            " (SELECT count(*) FROM sessions WHERE deviceid LIKE 'apple%'),"
            " (SELECT count(*) FROM component_config WHERE value = 'S3cr3t-LDAP-pa55!'),"
            " (SELECT count(*) FROM res_partner WHERE vat::text LIKE 'DE1234567%'),"
            " (SELECT count(*) FROM hr_employee WHERE identification_id LIKE '9876543%'),"
            " (SELECT count(*) FROM ir_attachment WHERE db_datas IS NOT NULL"
            "   OR store_fname <> substr(md5(id::text), 1, 2) || '/' || md5(id::text)),"
            " (SELECT count(*) FROM realm WHERE email_theme = 'acme'),"
            f" (SELECT count(*) FROM mail_message WHERE record_name = ANY(ARRAY[{people}])"
            "   OR subject LIKE 'Re: Quotation for%')"
        ).fetchone()
        vat = conn.execute("SELECT vat FROM res_partner LIMIT 1").fetchone()
    assert kept == (0, 0, 0, 0, 0, 0, 1, 0)
    assert vat is not None and str(vat[0]).startswith("DE") and len(vat[0]) == 11
