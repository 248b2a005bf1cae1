"""jsonb on bytea: UTF-8 JSON kept as bytes (Camunda's act_ge_bytearray.bytes_, Axon's
domain_event_entry.payload) was replaced whole by '{}', NULL or no bytes. Each listed path
is masked here as in a jsonb column (an email as in an email column), the rest of the
document kept, and the bytes still parse as UTF-8 JSON; a value that is no UTF-8 JSON
neither fails the table nor is kept, unless `others` says how it goes."""

from __future__ import annotations

import json
from typing import Any

from .conftest import Masking

CUSTOMER = {
    "firstName": "Jörg",
    "lastName": "Hoffmann",
    "email": "joerg.hoffmann@mailbox.example",
    "dateOfBirth": "1971-04-02",
    "address": {"street": "Lindenweg 7", "zip": "80331", "city": "München", "country": "DE"},
    "phoneNumbers": [{"type": "mobile", "number": "+49 151 2345678"}],
    "employer": "Acme GmbH",
}
PATHS: dict[str, Any] = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "address.street": "street",
    "address.city": "city",
    "phoneNumbers.*.number": "phone",
}
JAVA = bytes.fromhex("aced0005737200116a6176612e7574696c2e486173684d6170") + b"ann@x.example"
BPMN = b'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions id="d"/>'
STRAYS = [JAVA, BPMN, b'"Ann Lee"', b"{broken", b"{\x00}", b"\xff\xfe{}"]


def _table(masking: Masking) -> None:
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS vars")
    conn.execute(
        "CREATE TABLE vars (id int PRIMARY KEY, bytes_ bytea, doc jsonb, mail text,"
        " strict_ bytea NOT NULL, uniq bytea UNIQUE)"
    )
    values = [json.dumps(CUSTOMER).encode(), b"[]", b"42", *STRAYS]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO vars VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (i, v, json.dumps(CUSTOMER), CUSTOMER["email"], v, v + str(i).encode())
                for i, v in enumerate(values)
            ],
        )


def test_documents_are_masked_path_by_path_as_in_a_jsonb_column(masking: Masking) -> None:
    _table(masking)
    raw = masking.run("jsonb", {"paths": PATHS}, "bytes_", table="vars")
    doc = masking.run("jsonb", {"paths": PATHS}, "doc", table="vars")
    mail = masking.run("email", {}, "mail", table="vars")
    masked = json.loads(bytes(raw[0][1]).decode("utf-8"))
    assert masked == doc[0][1]  # the same document a jsonb column gets
    for path in ("firstName", "lastName", "email"):
        assert masked[path] != CUSTOMER[path]
    assert masked["email"] == mail[0][1]  # joins the email column's masked address
    assert masked["address"]["street"] != "Lindenweg 7"
    assert masked["address"]["city"] != "München"
    assert masked["address"]["zip"] == "80331" and masked["employer"] == "Acme GmbH"
    assert masked["phoneNumbers"][0]["type"] == "mobile"
    assert masked["phoneNumbers"][0]["number"] != "+49 151 2345678"
    assert bytes(raw[1][1]) == b"[]" and bytes(raw[2][1]) == b"42"  # nothing to mask


def test_values_that_are_no_utf8_json_are_emptied_not_failing_the_table(
    masking: Masking,
) -> None:
    _table(masking)
    nullable = dict(masking.run("jsonb", {"paths": PATHS}, "bytes_", table="vars"))
    strict = dict(masking.run("jsonb", {"paths": PATHS}, "strict_", table="vars"))
    for value in STRAYS:
        assert nullable[value] is None  # serialized Java, XML, a JSON string, bad bytes
        assert bytes(strict[value]) == b"null"  # NOT NULL: still JSON


def test_unique_strays_get_distinct_json_strings(masking: Masking) -> None:
    _table(masking)
    conn = masking.conn
    ctx = masking.context("uniq", unique=True, table="vars")
    expr = masking.expression("jsonb", {"paths": PATHS}, ctx)
    masking.use_key("k" * 64)
    rows = [bytes(r[0]) for r in conn.execute(f"SELECT {expr} FROM vars WHERE id > 2")]
    assert len(set(rows)) == len(rows) == len(STRAYS)
    assert all(isinstance(json.loads(r.decode()), str) for r in rows)


def test_others_keeps_or_empties_the_values_that_are_no_json(masking: Masking) -> None:
    _table(masking)
    kept = dict(masking.run("jsonb", {"paths": PATHS, "others": "keep"}, "bytes_", table="vars"))
    assert bytes(kept[BPMN]) == BPMN and bytes(kept[JAVA]) == JAVA
    assert kept[b'"Ann Lee"'] is None  # a JSON string is no document: never kept
    masked = json.loads(bytes(kept[json.dumps(CUSTOMER).encode()]).decode())
    assert masked["email"] != CUSTOMER["email"]
    empty = {"strategy": "constant", "value": ""}
    emptied = dict(masking.run("jsonb", {"paths": PATHS, "others": empty}, "strict_", table="vars"))
    assert bytes(emptied[JAVA]) == b"" and bytes(emptied[b"{broken"]) == b""
