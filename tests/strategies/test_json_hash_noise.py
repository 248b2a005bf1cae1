"""hash on a json/jsonb document (a settings table's secret that is one JSON string),
and noise on numbers without a scale keeping their own decimals (a JSON latitude
with 6 decimals came out with 22)."""

from __future__ import annotations

import re
from decimal import Decimal

from .conftest import KEY_B, Masking

HEX = re.compile(r"[0-9a-f]{32}")


def test_hash_makes_a_json_document_a_json_string(masking: Masking) -> None:
    masking.conn.execute(
        "CREATE TEMP TABLE settings (id int, value jsonb, old json); INSERT INTO settings VALUES"
        """ (1, '"wJalrXUtnFEMI/K7MDENG"', '"wJalrXUtnFEMI/K7MDENG"'), (2, '""', '""'),"""
        """ (3, 'null', 'null'), (4, NULL, NULL), (5, '{"a": "b"}', '{"a": "b"}'),"""
        """ (6, '42', '42')"""
    )
    for column in ("value", "old"):
        rows = masking.run("hash", {}, column, table="settings")
        (o1, m1), (o2, m2), (o3, m3), (o4, m4), (_, m5), (_, m6) = rows
        assert HEX.fullmatch(m1) and m1 != o1, m1
        assert (m2, m3, m4) == (o2, o3, o4) == ("", None, None)
        assert HEX.fullmatch(m5) and HEX.fullmatch(str(m6)) and m5 != m1, (m5, m6)
    again = masking.run("hash", {}, "value", table="settings", key=KEY_B)
    assert again[0][1] != rows[0][1]  # keyed


def test_noise_keeps_the_decimals_of_numbers_without_scale(masking: Masking) -> None:
    masking.conn.execute(
        "CREATE TEMP TABLE spots (id int, n numeric, f float8); INSERT INTO spots VALUES"
        " (1, 52.520008, 52.520008), (2, -13.404954, -13.404954), (3, 7, 7), (4, 0.5, 0.5)"
    )
    for o, m in masking.run("noise", {"absolute": 0.05}, "n", table="spots"):
        decimals = max(2, -o.as_tuple().exponent)
        assert isinstance(m, Decimal) and -m.as_tuple().exponent == decimals, (o, m)
        assert m != o and abs(m - o) <= Decimal("0.05")
    for o, m in masking.run("noise", {"absolute": 0.05}, "f", table="spots"):
        assert m != o and len(repr(m).partition(".")[2]) <= max(2, len(repr(o).partition(".")[2]))


def test_hash_keeps_a_placeholder_of_asterisks(masking: Masking) -> None:
    """Directus' revisions store a password as '**********': hashed to hex, a mask
    placeholder looked like a secret. Asterisks alone are kept, in text, JSON and a
    document's path; a value with anything else beside them is hashed."""
    masking.conn.execute(
        "CREATE TEMP TABLE revisions (id int, v varchar(40), j jsonb, d jsonb);"
        " INSERT INTO revisions SELECT i, x, to_jsonb(x), jsonb_build_object('password', x)"
        " FROM unnest(ARRAY['**********', '*', '**x*', 's3cret', '']) WITH ORDINALITY u(x, i)"
    )
    for column, params in (("v", {"prefix": "u"}), ("j", {})):
        masked = [m for _, m in masking.run("hash", params, column, table="revisions")]
        assert masked[:2] == ["**********", "*"] and masked[4] == "", masked
        assert all(HEX.search(m) for m in masked[2:4]), masked
    rules = {"paths": {"password": "hash"}}
    docs = [m for _, m in masking.run("jsonb", rules, "d", table="revisions")]
    assert [d["password"] for d in docs[:2]] == ["**********", "*"]
    assert HEX.fullmatch(docs[2]["password"]) and HEX.fullmatch(docs[3]["password"])
