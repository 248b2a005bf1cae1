"""The masking key: derived from the user's seed in Python, handed to PostgreSQL as a
session setting through a bound parameter, so no plan or SQL file ever contains it.
"""

from __future__ import annotations

import hashlib

from dbrefresh.errors import UsageError

KEY_SETTING = "dbrefresh.key"
# PBKDF2-HMAC-SHA256: a slow derivation, since seeds are often memorable strings.
_SALT = b"dbrefresh masking key v1"
_ITERATIONS = 100_000


def derive_key(seed: str) -> str:
    """The hex session key for a seed (same seed, same key, on every machine)."""
    if not seed:
        raise UsageError("the masking seed is empty; set it (defaults.seed_env) to a secret")
    raw = hashlib.pbkdf2_hmac("sha256", seed.encode("utf-8"), _SALT, _ITERATIONS)
    return raw.hex()


def key_setting_sql(key: str, setting: str = KEY_SETTING) -> tuple[str, tuple[str, str]]:
    """Query and parameters that set the key for the session: conn.execute(*result).

    The key travels as a bound parameter; the query text never contains it.
    """
    return "SELECT set_config(%s, %s, false)", (setting, key)
