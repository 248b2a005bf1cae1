"""ip on bytea: Matomo's location_ip keeps a visitor's address packed as 4 or 16 bytes
('\\xc63f31c6' is 198.63.49.198), and no strategy fitted bytea: it was kept. Masked as
the inet it packs (alike with the same address in an inet column), packed back to as
many bytes; a value of any other length is refused before anything changes."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.errors import MaskingRefused
from tests.anonymize.helpers import db_with_rules, fingerprint, mask_and_verify

SCHEMA = """
CREATE TABLE log_visit (idvisit int PRIMARY KEY, location_ip bytea, seen inet);
INSERT INTO log_visit SELECT i, CASE WHEN i % 5 = 0
    THEN decode('20010db8000000000000' || lpad(to_hex(i), 12, '0'), 'hex')
    ELSE decode(lpad(to_hex(3326030278 + i), 8, '0'), 'hex') END, NULL
  FROM generate_series(1, 300) i;
UPDATE log_visit SET seen = CASE length(location_ip) WHEN 4
  THEN '0.0.0.0'::inet + ('x' || encode(location_ip, 'hex'))::bit(32)::bigint
  ELSE rtrim(regexp_replace(encode(location_ip, 'hex'), '(....)', '\\1:', 'g'), ':')::inet END;
INSERT INTO log_visit VALUES (301, NULL, NULL), (302, '', NULL);
"""
RULES = """version: 1
tables:
  public.log_visit:
    columns: {idvisit: keep, location_ip: ip, seen: ip}
"""
# the packed address as an inet, to compare with the inet column
UNPACK = (
    "CASE length(location_ip) WHEN 4"
    " THEN '0.0.0.0'::inet + ('x' || encode(location_ip, 'hex'))::bit(32)::bigint"
    " WHEN 16 THEN rtrim(regexp_replace(encode(location_ip, 'hex'), '(....)', '\\1:', 'g'),"
    " ':')::inet END"
)


def test_packed_addresses_are_masked_as_inet_and_packed_back(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "ip.yaml")
    with psycopg.connect(dsn) as conn:
        before = dict(conn.execute("SELECT idvisit, location_ip FROM log_visit").fetchall())
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            f"SELECT idvisit, location_ip, {UNPACK}, seen FROM log_visit ORDER BY idvisit"
        ).fetchall()
    assert rows[-2][1:3] == (None, None) and rows[-1][1] == b""  # NULL and empty kept
    for idvisit, packed, unpacked, seen in rows[:-2]:
        original = before[idvisit]
        assert len(packed) == len(original) and packed != original
        # masked alike with the same address in the inet column
        assert unpacked == seen
        net = "10.0.0.0/8" if len(packed) == 4 else "fd00::/8"
        assert ipaddress.ip_address(packed) in ipaddress.ip_network(net)


def test_a_value_packing_no_address_is_refused(make_db, tmp_path: Path) -> None:
    schema = SCHEMA + "INSERT INTO log_visit VALUES (303, '\\x0102030405', NULL);"
    dsn, rules = db_with_rules(make_db, tmp_path, schema, RULES, "ip.yaml")
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(MaskingRefused, match=r"location_ip holds a value of 5 bytes"):
        anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(dsn) == before
