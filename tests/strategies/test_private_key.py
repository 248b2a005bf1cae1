"""private_key: each PEM label gets its throwaway key, in text and in a JSON string;
other values their digest, JSON null and blank strings kept."""

from __future__ import annotations

import json

from dbrefresh.strategies.throwaway_keys import KEYS
from tests.strategies.conftest import Masking

VALUES = [
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n",
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHD",
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQ",
    "-----BEGIN DSA PRIVATE KEY-----\nMIIDVg",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE",
    "not a key",
    "",
]
LABELS = [
    "RSA PRIVATE KEY",
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
    "OPENSSH PRIVATE KEY",
]


def _table(masking: Masking) -> None:
    masking.conn.execute("DROP TABLE IF EXISTS pem_keys")
    masking.conn.execute("CREATE TEMP TABLE pem_keys (id int, t text, j jsonb)")
    rows = [(i, v, json.dumps(v)) for i, v in enumerate(VALUES)]
    rows += [(len(rows), None, "null"), (len(rows) + 1, None, None)]
    for row in rows:
        masking.conn.execute("INSERT INTO pem_keys VALUES (%s, %s, %s)", row)


def test_each_label_gets_its_key_in_text_and_json(masking: Masking) -> None:
    _table(masking)
    text = [m for _, m in masking.run("private_key", {}, "t", table="pem_keys")]
    doc = [m for _, m in masking.run("private_key", {}, "j", table="pem_keys")]
    expected = [KEYS[label] for label in LABELS]
    assert text[:6] == doc[:6] == expected
    assert len(text[6]) == 32 and text[6] == doc[6]  # no key: its MD5 digest
    assert text[7:] == ["", None, None] and doc[7:] == ["", None, None]  # '' and null kept
