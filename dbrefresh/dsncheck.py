"""A connection string's syntax, checked where it is written (the config), not where it
is first used.

`source.dsn: "… password=X ="` failed only inside the run, once a run id was drawn and
journaled: `ProgrammingError: invalid connection option ""`, exit 3, as if production
had refused. `sslmode=bogus` got through libpq's parser (it checks such values only
when connecting) and failed inside pg_basebackup. Both are the user's typo: the config
refuses them (exit 2, file:line:key), with any password taken out of the message.
"""

from __future__ import annotations

import re

import psycopg
from psycopg.conninfo import conninfo_to_dict

from dbrefresh.db import redact_dsn
from dbrefresh.errors import first_line

# Options whose values libpq takes from a fixed list, and checks only when connecting.
CHOICES: dict[str, tuple[str, ...]] = {
    "sslmode": ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    "gssencmode": ("disable", "prefer", "require"),
    "channel_binding": ("disable", "prefer", "require"),
    "target_session_attrs": (
        "any",
        "read-write",
        "read-only",
        "primary",
        "standby",
        "prefer-standby",
    ),
    "load_balance_hosts": ("disable", "random"),
    "sslnegotiation": ("postgres", "direct"),
    "sslcertmode": ("disable", "allow", "require"),
}
_PORTS = re.compile(r"(?:\d*)(?:,\d*)*")
_INTEGER = re.compile(r"\s*-?\d+\s*")
_INTEGERS = ("connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval")
# a password and the words after it up to the next `key=` (`password=two words`)
_KV_PASSWORD_WORDS = re.compile(
    r"(?P<head>\bpassword\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|\S+)(?:\s+(?!\S*=)\S+)*", re.I
)


def problem(dsn: str) -> str | None:
    """What is wrong with the connection string's syntax (no password in it), or None."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return f"not a valid connection string: {_reason(dsn)} (in {_shown(dsn)})"
    for key, allowed in CHOICES.items():
        value = params.get(key)
        if value is not None and str(value) not in allowed:
            return (
                f"{key}={value!s} is not a {key} libpq knows (one of: {', '.join(allowed)}) "
                f"(in {_shown(dsn)})"
            )
    port = params.get("port")
    if port is not None and not _PORTS.fullmatch(str(port)):
        return f"port={port!s} is not a port number (in {_shown(dsn)})"
    for key in _INTEGERS:
        value = params.get(key)
        if value is not None and str(value) != "" and not _INTEGER.fullmatch(str(value)):
            return f"{key}={value!s} is not a whole number (in {_shown(dsn)})"
    return None


def _redacted(dsn: str) -> str:
    """The connection string with its password, and the words after it up to the next
    `key=`, replaced (`password=two words`: libpq read `words` as the next key)."""
    return _KV_PASSWORD_WORDS.sub(r"\g<head>***", redact_dsn(dsn))


def _shown(dsn: str) -> str:
    return repr(_redacted(dsn))


def _reason(dsn: str) -> str:
    """libpq's complaint about the redacted string, which holds no password to quote; if
    that one parses, the password itself was what libpq could not read."""
    try:
        conninfo_to_dict(_redacted(dsn))
    except psycopg.ProgrammingError as exc:
        return first_line(exc)
    return (
        "libpq cannot read its password (in key=value form write a password holding "
        "spaces, quotes or backslashes in single quotes, password='two words' with \\' "
        "for a quote; in a URL, percent-encode it)"
    )
