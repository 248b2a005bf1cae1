"""Machine data that only resembles a contact detail is no free text about a person:
`rules init` gave `lorem` to timestamps, X-Forwarded-For lists, barcodes, user agents
and message ids, destroying columns the application reads."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from faker import Faker

from dbrefresh.rules import pii_values

from .helpers import generate_then_mask, rule_of, strategy_of


@pytest.mark.parametrize(
    "value",
    [
        "2024-11-19 14:04:26.921734",
        "2024-11-19 14:04:26.921734+00",
        "logged 2024-11-19T14:04:26Z from 10.0.0.12",
        "19.11.2024 14:04",
        "83.39.228.186, 201.61.81.173",
        "0324106529631",  # EAN-13
        "GTIN 00012345678905",
        "<0f8fad5b-d9cb-469f-a165-70867728950e@mail.example.com>",
        "<CAKm3QH1mUQ+Wb0c2k=sgL2b7uBfH3DVe2-c2=FH+v7Xb2K7xQg@mail.gmail.com>",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.6099.109 Safari/537.36",
    ],
)
def test_machine_data_is_no_contact(value: str) -> None:
    assert not pii_values.has_contact(value)


@pytest.mark.parametrize(
    "value",
    [
        "call me at +44 20 7946 0000",
        "reach me on 030 1234567",
        "mail ann@x.org",
        "Ann Smith <ann.smith@example.com>",
        "call 555.123.4567 after 14:00",
        "ring (030) 1234-5678 on 19.11.2024",
        "Tel. 01.23.45.67.89",
        "seen 2024-11-19 14:04, asked to be called on +49 171 1234567",
    ],
)
def test_contacts_beside_machine_data_are_still_found(value: str) -> None:
    assert pii_values.has_contact(value)


def test_barcodes_are_no_phone_numbers() -> None:
    fake = Faker()
    fake.seed_instance(5)
    codes = [fake.ean13() for _ in range(200)] + [fake.ean8() for _ in range(10)]
    assert pii_values.match_values(codes) is None
    assert pii_values.is_phone("015112345678")  # a bare German mobile number stays one


def test_user_agents_are_no_contacts() -> None:
    fake = Faker()
    fake.seed_instance(7)
    agents = [fake.user_agent() for _ in range(500)]
    assert [a for a in agents if pii_values.has_contact(a)] == []
    assert pii_values.match_values(agents) is None


def test_an_audit_table_of_machine_data_is_kept(make_db, tmp_path: Path) -> None:
    """Timestamps, barcodes, user agents and message ids kept, forwarded-for lists
    masked as IP addresses (Magento's x_forwarded_for was kept silently); the note
    mentioning a phone number among them is still masked."""
    fake = Faker()
    fake.seed_instance(11)
    agents = ", ".join("'" + fake.user_agent().replace("'", "''") + "'" for _ in range(40))
    barcodes = ", ".join(f"'{fake.ean13()}'" for _ in range(40))
    _, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE request_log (id serial PRIMARY KEY, happened text, forwarded_for text,"
        " barcode text, agent text, message text, remark text);"
        "INSERT INTO request_log (happened, forwarded_for, barcode, agent, message, remark)"
        " SELECT (timestamp '2024-11-19 14:04:26.921734' + i * interval '17 minutes')::text,"
        " '83.39.' || (i % 250) || '.186, 201.61.81.' || (i % 200),"
        " (ARRAY[" + barcodes + "])[1 + i % 40], (ARRAY[" + agents + "])[1 + i % 40],"
        " '<' || md5(i::text)::uuid || '@mail.example.com>',"
        " CASE WHEN i % 10 = 0 THEN 'call back on +44 20 7946 ' || (1000 + i)"
        "  ELSE 'no answer at ' || (time '09:00' + i * interval '1 minute') END"
        " FROM generate_series(1, 300) i",
    )
    for column in ("happened", "barcode", "agent", "message"):
        assert strategy_of(text, "public.request_log", column) == "keep", column
    # no free text, but the client's addresses: masked like an IP column
    assert strategy_of(text, "public.request_log", "forwarded_for") == "ip"
    assert strategy_of(text, "public.request_log", "remark") == "lorem"


def test_zero_padded_order_numbers_are_no_phone_numbers(make_db, tmp_path: Path) -> None:
    """Magento's order numbers ('000000042', unique) were proposed as unique phone
    numbers, and every phone column of the database then got `unique: true` too."""
    assert not pii_values.is_phone("000000042")
    assert pii_values.match_values([f"{n:09d}" for n in range(1, 200, 3)]) is None
    # a later order ('001234567') is padded like its neighbours ('000999999')
    assert pii_values.match_values([f"{n:09d}" for n in range(999_990, 1_000_500, 7)]) is None
    # a phone column written as bare digits, with an all-zero placeholder, stays one
    assert (
        pii_values.match_values([f"0151{n:07d}" for n in range(1000, 1200)] + ["00000000000"])
        is not None
    )
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE sales_order (entity_id serial PRIMARY KEY,"
        " increment_id varchar(32) UNIQUE, reserved varchar(32));"
        "INSERT INTO sales_order (increment_id, reserved)"
        " SELECT lpad(i::text, 9, '0'), '0000' || (10000 + i) FROM generate_series(1, 300) i;"
        "CREATE TABLE sales_order_address (id serial PRIMARY KEY, telephone varchar(255) NOT NULL);"
        "INSERT INTO sales_order_address (telephone) SELECT CASE WHEN i % 50 = 0 THEN '0'"
        " ELSE '+49 30 ' || (1000000 + i) END FROM generate_series(1, 300) i",
    )
    assert strategy_of(text, "public.sales_order", "increment_id") == "keep"
    assert strategy_of(text, "public.sales_order", "reserved") == "keep"
    assert rule_of(text, "public.sales_order_address", "telephone") == "phone"
    with psycopg.connect(dsn) as conn:
        kept = conn.execute("SELECT count(*) FROM sales_order WHERE increment_id ~ '^0{3}'")
        assert kept.fetchone() == (300,)


@pytest.mark.parametrize(
    "value",
    [
        "f5224aef-1575-5715-7154-df8302753df9",  # '1575-5715-7154' read as a number
        "sess-39998583-3904-01b7-af4b-8564d55b014a-v2",
        "revoked 98b9c504-3934-9942-4845-de7b11686e60 at logout",
        "edb10d6f-0041-0410-5f43-31fc67481c54-0041-0410-5f43-31fc67481c54",  # 56 hex digits
    ],
)
def test_uuids_and_hex_tokens_are_no_contacts(value: str) -> None:
    assert not pii_values.has_contact(value)


def test_contacts_beside_uuids_are_still_found() -> None:
    assert pii_values.has_contact("call +49 171 1234567 re f5224aef-1575-5715-7154-df8302753df9")
    # an address whose local part is a UUID is still an address
    assert pii_values.has_contact("f5224aef-1575-5715-7154-df8302753df9@relay.example.com")


def test_user_ids_as_text_are_kept(make_db, tmp_path: Path) -> None:
    """GoTrue's refresh_tokens.user_id holds UUIDs as varchar: 11 of 1000 had a digit run
    like a phone number ('1575-5715-7154'), the join column got `lorem`, and the JSON
    copies of the ids (an audit log's actor_id, a token's sub) followed."""
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE);"
        "INSERT INTO users SELECT md5('e' || g)::uuid, 'user' || g || '@mail.example'"
        " FROM generate_series(1, 1000) g;"
        "CREATE TABLE refresh_tokens (id bigserial PRIMARY KEY, token varchar(255) UNIQUE,"
        " user_id varchar(255));"
        "INSERT INTO refresh_tokens (token, user_id) SELECT md5(id::text), id::text FROM users;"
        "CREATE TABLE audit_log (id bigserial PRIMARY KEY, payload jsonb);"
        "INSERT INTO audit_log (payload) SELECT jsonb_build_object('actor_id', id::text,"
        " 'sub', id::text, 'action', 'login') FROM users",
    )
    assert strategy_of(text, "public.refresh_tokens", "user_id") == "keep"
    assert strategy_of(text, "public.audit_log", "payload") == "keep"
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            "SELECT count(*) FROM refresh_tokens r JOIN users u ON u.id::text = r.user_id"
        ).fetchone()
        assert joined == (1000,)
