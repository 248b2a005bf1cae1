"""One-time codes named as secrets: a 6-digit `verification_code varchar(6)` became
`null` (nullable) or a 6-character hex hash (NOT NULL), no longer a code of digits.
Where the sampled values are digits, rules init proposes `digits`: every code still six
digits, each changed. A column empty at sampling and secrets that are not digits keep
the secret proposal."""

from __future__ import annotations

import random
from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

RNG = random.Random(11)
CODES = [f"{RNG.randrange(10**6):06d}" for _ in range(80)]
CONFIRM = [f"{RNG.randrange(10**6):06d}" for _ in range(80)]
LOGINS = [f"{i:08d}" for i in RNG.sample(range(10**8), 80)]
MIXED = [f"{RNG.choice('ABCDEF')}{RNG.randrange(10**5):05d}" for _ in range(80)]


def _values(*columns: list[str]) -> str:
    rows = zip(*columns, strict=True)
    return ", ".join("(" + ", ".join(f"'{v}'" for v in row) + ")" for row in rows)


SCHEMA = f"""
CREATE TABLE otp_codes (id serial PRIMARY KEY, verification_code varchar(6),
  confirmation_code char(6), login_code text UNIQUE, sms_code varchar(6),
  reset_code varchar(6));
INSERT INTO otp_codes (verification_code, confirmation_code, login_code, sms_code)
  VALUES {_values(CODES, CONFIRM, LOGINS, MIXED)};
CREATE TABLE otp (id serial PRIMARY KEY, verification_code varchar(6) NOT NULL);
INSERT INTO otp (verification_code) VALUES {_values(CODES)};
ANALYZE;
"""


def _column(dsn: str, table: str, column: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute(f"SELECT {column} FROM {table} ORDER BY id")]


def test_numeric_one_time_codes_stay_digits(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for table, column in [("otp_codes", "verification_code"), ("otp_codes", "confirmation_code"),
                          ("otp", "verification_code")]:  # fmt: skip
        # (unique: true where other digits columns are, so equal codes mask alike)
        assert strategy_of(text, f"public.{table}", column) == "digits", (table, column)
        note = comment_of(text, f"public.{table}", column)
        assert "numeric codes" in note and "null instead" not in note, note
    assert rule_of(text, "public.otp_codes", "login_code") == {
        "strategy": "digits",
        "unique": True,
    }
    for table, column, originals in [("otp_codes", "verification_code", CODES),
                                     ("otp_codes", "confirmation_code", CONFIRM),
                                     ("otp", "verification_code", CODES),
                                     ("otp_codes", "login_code", LOGINS)]:  # fmt: skip
        masked = _column(dsn, table, column)
        for before, after in zip(originals, masked, strict=True):
            assert after != before, (column, before)
            assert len(after) == len(before) and after.isdigit(), (column, after)
    logins = _column(dsn, "otp_codes", "login_code")
    assert len(set(logins)) == len(LOGINS) and not set(logins) & set(LOGINS)


def test_codes_not_all_digits_and_empty_columns_keep_the_secret_rule(
    make_db, tmp_path: Path
) -> None:
    """'A12345' is no numeric code: it stays hashed (cut to fit); reset_code, empty at
    sampling, says nothing about its values and keeps the secret proposal."""
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.otp_codes", "sms_code") == "null"
    assert rule_of(text, "public.otp_codes", "reset_code") == "null"
    assert "numeric codes" not in comment_of(text, "public.otp_codes", "sms_code")
    assert set(_column(dsn, "otp_codes", "sms_code")) == {None}
