"""Company registration numbers: Dolibarr's llx_societe.siren (9 digits) got `lorem`
(read as a phone number in text) and siret (14 digits) `partial` (read as a payment
card by its Luhn digit). By their names they are `digits` now, the Luhn check digit
kept valid; a column of other codes under another name is judged as before."""

from __future__ import annotations

import random
from pathlib import Path

import psycopg

from dbrefresh.rules import company_ids
from dbrefresh.rules.pii_values import luhn_ok

from .helpers import generate_then_mask, rule_of


def _with_luhn(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def _schema() -> str:
    rng = random.Random(7)
    rows = []
    for i in range(1, 41):
        siren = _with_luhn(str(rng.randrange(10**7, 10**8)))
        siret = _with_luhn(siren + f"{rng.randrange(1000):04d}")
        rows.append(f"({i}, 'Client {i}', '{siren}', '{siret}', 'CU{i:05d}')")
    return f"""
CREATE TABLE llx_societe (rowid int PRIMARY KEY, nom varchar(128), siren varchar(128),
  siret varchar(128), code_client varchar(24));
INSERT INTO llx_societe VALUES {", ".join(rows)};
"""


def test_unit_names_and_shapes() -> None:
    assert company_ids.proposal("siren", ["922432984"], unique=False) is not None
    assert company_ids.proposal("siren", ["n/a"], unique=False) is None
    assert company_ids.proposal("code_client", ["922432984"], unique=False) is None


def test_siren_and_siret_keep_their_check_digit(make_db, tmp_path: Path) -> None:
    schema = _schema()
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    assert rule_of(text, "public.llx_societe", "siren") == {"strategy": "digits", "luhn": True}
    assert rule_of(text, "public.llx_societe", "siret") == {"strategy": "digits", "luhn": True}
    assert rule_of(text, "public.llx_societe", "code_client") == "keep", text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT siren, siret FROM llx_societe").fetchall()
    originals = {v for line in schema.splitlines() for v in line.split("'")[1::2]}
    for siren, siret in rows:
        assert len(siren) == 9 and len(siret) == 14, (siren, siret)
        assert luhn_ok(siren) and luhn_ok(siret), (siren, siret)
    assert not {v for row in rows for v in row} & originals
