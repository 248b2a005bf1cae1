"""The clone remembers which masking key masked it, so no other seed is used on it.

Leak and statistics checks compare keyed hashes: under a wrong seed they find nothing
and verify passed a clone it never checked; a re-run under another seed "finished" a
job with tables masked under two keys (joins on masked keys broken). anonymize records
a fingerprint of the key when it starts; verify and later runs refuse any other key.

The fingerprint is an HMAC of a constant under the key derived from the seed (PBKDF2,
strategies.keyed): it reveals neither, and guessing a seed from it costs the same
derivation per guess as guessing it from the leak hashes the clone already holds
(keyed digests of sampled original values), so it gives a reader of the clone nothing new.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import psycopg

from dbrefresh.errors import UsageError

_LABEL = b"dbrefresh masking key fingerprint v1"


def fingerprint(key: str) -> str:
    """HMAC-SHA256 of a constant under the (hex) session key."""
    return hmac.new(bytes.fromhex(key), _LABEL, hashlib.sha256).hexdigest()


def recorded(conn: psycopg.Connection[Any]) -> str | None:
    """The fingerprint anonymize recorded, or None (never masked, or by a version
    that recorded none)."""
    row = conn.execute("SELECT to_regclass('dbrefresh.masking_key') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute(
        "SELECT fingerprint FROM dbrefresh.masking_key ORDER BY recorded_at LIMIT 1"
    ).fetchone()
    return str(found[0]) if found else None


def require_same_key(
    conn: psycopg.Connection[Any], key: str, database: str, seed_origin: str, command: str
) -> None:
    """UsageError (exit 2) when the clone was masked under another key; names where
    the seed came from, never the seed."""
    known = recorded(conn)
    if known is None or hmac.compare_digest(known, fingerprint(key)):
        return
    if command == "anonymize" and not _masked_any(conn):
        return  # an earlier run refused before masking: record_key takes the new key
    consequence = (
        "its leak and statistics checks would compare hashes under the wrong key and find nothing"
        if command == "verify"
        else "masking the rest under another key would break joins on masked values"
    )
    raise UsageError(
        f"database {database!r} was masked with another seed than the one given by "
        f"{seed_origin}: {command} refused ({consequence}); give the seed anonymize "
        "used, or start from a fresh clone"
    )


def _masked_any(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM dbrefresh.masked_relations)").fetchone()
    return bool(row and row[0])


def record_key(conn: psycopg.Connection[Any], key: str) -> None:
    """Record the key's fingerprint unless one is there (in the caller's transaction;
    a key no relation was masked under yet is replaced)."""
    if not _masked_any(conn):
        conn.execute("DELETE FROM dbrefresh.masking_key")
    conn.execute(
        "INSERT INTO dbrefresh.masking_key (fingerprint) SELECT %s "
        "WHERE NOT EXISTS (SELECT 1 FROM dbrefresh.masking_key)",
        (fingerprint(key),),
    )
