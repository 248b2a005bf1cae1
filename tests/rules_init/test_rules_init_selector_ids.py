"""FHIR's identifier lists: a person's MRN and NPI beside their SSN masked like it.

A Patient's `identifier` holds [{system: '.../us-ssn', value: '123-45-6789'},
{system: 'urn:oid:1.2.36.146.595.217.0.1', value: 'MRN1251420'}], a Practitioner's
[{system: '.../us-npi', value: '1234567890'}]. Read label by label, only the SSN's
system named a kind: the MRN's and NPI's systems say nothing and neither do their
values, so both were kept, where the old `identifier.*.value: digits`, judged on every
label's values together, masked them. Codes under the other labels of a list holding
a national id now get its rule; words under them (a `use`-like label) stay kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from .helpers import generate_then_mask, rule_of

SSN = "http://hl7.org/fhir/sid/us-ssn"
MRN = "urn:oid:1.2.36.146.595.217.0.1"
NPI = "http://hl7.org/fhir/sid/us-npi"
SCHEMA = f"""
CREATE TABLE hfj_res_ver (pid bigint PRIMARY KEY, res_type varchar(40) NOT NULL,
  res_text_vc text);
INSERT INTO hfj_res_ver SELECT g, 'Patient', json_build_object('resourceType', 'Patient',
  'identifier', json_build_array(
     json_build_object('system', '{SSN}', 'value',
        lpad((100 + g)::text, 3, '0') || '-' || lpad((g % 90 + 10)::text, 2, '0') || '-'
        || lpad((1000 + g * 7)::text, 4, '0')),
     json_build_object('system', '{MRN}', 'value', 'MRN' || (1250000 + g * 13)),
     json_build_object('system', 'http://example.org/tier', 'value',
        (ARRAY['gold', 'silver', 'bronze'])[1 + g % 3]))
  )::text
FROM generate_series(1, 80) g;
INSERT INTO hfj_res_ver SELECT g, 'Practitioner', json_build_object('resourceType',
  'Practitioner', 'identifier', json_build_array(json_build_object('system', '{NPI}',
  'value', (1000000000 + g * 7919)::text)))::text
FROM generate_series(101, 130) g;
ANALYZE;
"""


def _identifiers(dsn: str) -> dict[tuple[int, str], str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT pid, i ->> 'system', i ->> 'value' FROM hfj_res_ver,"
            " jsonb_array_elements(res_text_vc::jsonb -> 'identifier') AS i"
        ).fetchall()
    return {(pid, system): value for pid, system, value in rows}


def test_ids_beside_a_national_id_are_masked_like_it(make_db: Any, tmp_path: Path) -> None:
    dsn_orig = make_db(prefix="orig")
    with psycopg.connect(dsn_orig) as conn:
        conn.execute(SCHEMA)
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)

    paths = rule_of(text, "public.hfj_res_ver", "res_text_vc")["paths"]
    for system in (SSN, MRN, NPI):
        assert str(paths[f"identifier.[system={system}].value"]).startswith("digits"), text
    assert not any("example.org/tier" in p for p in paths), text
    before, after = _identifiers(dsn_orig), _identifiers(dsn)
    assert before.keys() == after.keys()
    for (pid, system), value in before.items():
        if system == "http://example.org/tier":
            assert after[pid, system] == value  # a word, no id: kept
        else:
            assert after[pid, system] != value, (pid, system)
            assert len(after[pid, system]) == len(value)  # digits keep the shape
    assert all(v.startswith("MRN") for (_, s), v in after.items() if s == MRN)
