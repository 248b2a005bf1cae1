"""hash with alphabet: base32: a TOTP seed stays base32 of its length (its padding
kept), so it still decodes; a value that is not base32 is hashed to hex as usual."""

from __future__ import annotations

import base64
import re

import pytest
from pydantic import ValidationError

from dbrefresh.strategies.registry import get

from .conftest import Masking

SEEDS = [
    "JBSWY3DPEHPK3PXP",
    "4OOTDWIKUSYPQZ7M2XH5JR6QY2LFN3BA",
    "MFRGGZDFMZTWQ2LK" * 5 + "MY======",
]


def test_a_base32_seed_stays_base32_of_its_length(masking: Masking) -> None:
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS seeds")
    conn.execute("CREATE TABLE seeds (id int PRIMARY KEY, v varchar(96))")
    values = [*SEEDS, "not base32!", "abcdefghijklmnop", ""]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO seeds VALUES (%s, %s)", list(enumerate(values)))
    masked = dict(masking.run("hash", {"alphabet": "base32"}, "v", table="seeds"))
    for seed in SEEDS:
        out = masked[seed]
        assert out != seed and len(out) == len(seed), (seed, out)
        assert re.fullmatch(r"[A-Z2-7]+=*", out) and out.endswith("=" * seed.count("="))
        base64.b32decode(out)
    assert re.fullmatch(r"[0-9a-f]{32}", masked["not base32!"])
    assert re.fullmatch(r"[0-9a-f]{32}", masked["abcdefghijklmnop"])  # lower case: no base32
    assert masked[""] == ""
    # a seed masks alike wherever it is
    again = dict(masking.run("hash", {"alphabet": "base32"}, "v", table="seeds"))
    assert again == masked


def test_base32_takes_no_prefix() -> None:
    with pytest.raises(ValidationError):
        get("hash").parse_params({"alphabet": "base32", "prefix": "u"})
