"""Formats an application validates: an international number keeps a country code that
does not start with 0, a national one its trunk 0; an email column's blank '' (a user
without an address) stays blank."""

from __future__ import annotations

import re

from tests.strategies.conftest import Masking

NUMBERS = [
    "+44 20 7946 0000",
    "+4915112345678",
    "+1 (555) 010-2030",
    "+33 1 23 45 67 89",
    "020 7946 0123",
    "07700 900123",
    "0049 30 1234567",
    "(555) 010-2030",
    "+0 000",
    "n/a",
]


def test_phone_keeps_the_lead_and_never_starts_a_country_code_with_0(masking: Masking) -> None:
    values = ", ".join(f"({i}, '{n}')" for i, n in enumerate(NUMBERS * 60))
    masking.conn.execute(
        f"CREATE TEMP TABLE phones (id int, p text); INSERT INTO phones VALUES {values}"
    )
    rows = masking.run("phone", {}, "p", table="phones")
    for original, masked in rows:
        assert masked != original or original == "n/a"
        assert re.sub(r"[0-9]", "0", masked) == re.sub(r"[0-9]", "0", original)  # format
        if original.startswith("+") and original != "+0 000":
            assert re.match(r"^\+[1-9]", masked), (original, masked)
        if original.startswith("0") and not original.startswith("00"):
            assert re.match(r"^0[1-9]", masked), (original, masked)
        if original.startswith("00"):
            assert masked.startswith("00")


def test_phone_with_keep_prefix_checks_the_digit_after_it(masking: Masking) -> None:
    masking.conn.execute(
        "CREATE TEMP TABLE intl (id int, p text);"
        "INSERT INTO intl SELECT g, '+1' || (10 + g % 80) || ' 5550 ' || g"
        " FROM generate_series(1, 400) g"
    )
    rows = masking.run("phone", {"keep_prefix": 1}, "p", table="intl")
    for original, masked in rows:  # the calling code '+1' kept, whatever keep_prefix says
        assert re.match(r"^\+1[1-9]", masked) and masked != original
    assert len({m[2] for _, m in rows}) == 9  # spread over 1-9, not one constant


def test_email_keeps_blank_values(masking: Masking) -> None:
    masking.conn.execute(
        "CREATE TEMP TABLE accounts (id int, email varchar(80));"
        "INSERT INTO accounts VALUES (1, ''), (2, 'ann.lee@corp.example'), (3, '  '), (4, NULL)"
    )
    for unique in (False, True):
        rows = dict(masking.run("email", {"unique": unique}, "email", table="accounts"))
        assert rows[""] == "" and rows["  "] == "  " and rows[None] is None
        assert rows["ann.lee@corp.example"].endswith("@example.com")


def test_unique_phone_keeps_the_lead_and_stays_injective(masking: Masking) -> None:
    """The permutation a unique number needs now keeps the lead ('+', '0', '00') and
    the digit after it: '+0...', '0009...' no more; and numbers of every lead format
    side by side stay distinct."""
    masking.conn.execute(
        "CREATE TEMP TABLE uniq (id int, p text);"
        "INSERT INTO uniq SELECT g, CASE g % 4 WHEN 0 THEN '+' || (31 + g % 60) || ' ' || g"
        " WHEN 1 THEN '00' || (31 + g % 60) || ' ' || g WHEN 2 THEN '0' || (20 + g % 70)"
        " || ' ' || g ELSE '+0' || (1000000 + g) END FROM generate_series(1, 2000) g"
    )
    rows = masking.run("phone", {"unique": True}, "p", table="uniq")
    assert len({m for _, m in rows}) == len(rows)  # injective
    for original, masked in rows:
        assert masked != original
        assert re.sub(r"[0-9]", "0", masked) == re.sub(r"[0-9]", "0", original)
        if original.startswith("00"):
            assert masked[:3] == original[:3] and masked[2] != "0"
        elif (original.startswith("+") and original[1] != "0") or original.startswith("0"):
            assert masked[:2] == original[:2]


# E.164 numbers of calling codes 1 to 3 digits long (and the length of each code)
E164 = {
    "+14155552671": 1,
    "+12025550123": 1,
    "+447911123456": 2,
    "+4915112345678": 2,
    "+33612345678": 2,
    "+79161234567": 1,
    "+85291234567": 3,
    "+353861234567": 3,
    "+8613800138000": 2,
    "+380501234567": 3,
    "+1 (415) 555-2671": 1,
    "+44 7911 123456": 2,
}


def test_phone_keeps_the_calling_code(masking: Masking) -> None:
    """Saleor validates a phone number against its address's country: '+14155552671'
    became '+34019721168' (Spain), '+447911...' '+900...', some '+85...' (no code at all).
    The calling code now stays whole and only the subscriber's digits change, for the
    plain and the unique (permuted) strategy alike."""
    values = ", ".join(f"({i}, '{n}')" for i, n in enumerate(list(E164) * 40))
    masking.conn.execute(
        f"CREATE TEMP TABLE e164 (id int, p text); INSERT INTO e164 VALUES {values}"
    )
    for params in ({}, {"unique": True}, {"keep_prefix": 1}):
        rows = masking.run("phone", params, "p", table="e164")
        for original, masked in rows:
            kept = 1 + E164[original]
            assert masked[:kept] == original[:kept], (params, original, masked)
            assert masked != original, (params, original, masked)
            assert masked[kept] != "0" or params.get("unique"), (params, original, masked)
            assert re.sub(r"[0-9]", "0", masked) == re.sub(r"[0-9]", "0", original)
        if params.get("unique"):
            assert len(set(rows)) == len(E164) == len({m for _, m in rows})
