"""Matrix's user_threepids: `medium` says whether `address` is an email or a phone
number (msisdn). Judged as one column, `address` got `email`, and every phone number
became an address; it is a key/value pair, masked by a `switch` whose cases keep the
unique key (medium, address) unique."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, phone_case, rule_of

SCHEMA = (
    "CREATE TABLE user_threepids (user_id text NOT NULL, medium text NOT NULL,"
    " address text NOT NULL, UNIQUE (medium, address));"
    "INSERT INTO user_threepids SELECT '@u' || g || ':example.org', 'email',"
    " 'person' || g || '@mail.example' FROM generate_series(1, 80) g;"
    "INSERT INTO user_threepids SELECT '@u' || g || ':example.org', 'msisdn',"
    " '4477' || (10000000 + g * 7919) FROM generate_series(1, 20) g"
)


def test_medium_and_address_are_a_key_value_pair(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.user_threepids", "address")
    assert rule["strategy"] == "switch" and rule["by"] == "medium"
    assert rule["cases"]["email"] == {"strategy": "email", "unique": True}
    assert phone_case(rule["cases"]["msisdn"])["strategy"] in {"phone", "digits"}
    assert phone_case(rule["cases"]["msisdn"])["unique"] is True
    assert rule_of(text, "public.user_threepids", "medium") == "keep"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT medium, address FROM user_threepids").fetchall()
    numbers = [a for m, a in rows if m == "msisdn"]
    addresses = [a for m, a in rows if m == "email"]
    assert len(numbers) == 20 and all(n.isdigit() and len(n) == 12 for n in numbers)
    assert not set(numbers) & {f"4477{10000000 + g * 7919}" for g in range(1, 21)}
    assert len(addresses) == 80 and all("@" in a and "mail.example" not in a for a in addresses)
