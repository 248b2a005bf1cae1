"""A connection string's syntax, checked where it is written (the config), not where it
is first used.

`source.dsn: "… password=X ="` failed only inside the run, once a run id was drawn and
journaled: `ProgrammingError: invalid connection option ""`, exit 3, as if production
had refused. `sslmode=bogus` got through libpq's parser (it checks such values only
when connecting) and failed inside pg_basebackup. Both are the user's typo: the config
refuses them (exit 2, file:line:key), with any password taken out of the message.

A string libpq cannot parse shows only the values of host, port, user and dbname: a
misspelled key (`passwrd=Pr0dS3cret`) is not known to be a password, and was printed
in clear (`invalid connection option "passwrd" (in '… passwrd=Pr0dS3cret …')`).
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


# keys whose values an unparsable string may show: where, and as whom (no secrets)
SHOWN_KEYS = frozenset({"host", "port", "user", "dbname"})
# a key=value token (a quoted value may lack its closing quote), else a bare word
_TOKEN = re.compile(
    r"\s*(?:(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>'(?:[^'\\]|\\.)*'?|\S*)"
    r"|(?P<word>\S+))"
)
_URL_PARAM = re.compile(r"(?P<sep>[?&])(?P<key>[^=&]*)=(?P<value>[^&]*)")


def problem(dsn: str) -> str | None:
    """What is wrong with the connection string's syntax (no password in it), or None."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        shown, unreadable = unparsed_shown(dsn)
        return f"not a valid connection string: {_reason(shown, unreadable)} (in {shown!r})"
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


def unparsed_shown(dsn: str) -> tuple[str, list[str]]:
    """A string libpq cannot parse with every value but those of SHOWN_KEYS replaced by
    `***`, and the keys whose values ran on over several words (or an unclosed quote),
    which libpq may be what could not read."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", dsn, re.I):
        shown = _URL_PARAM.sub(
            lambda m: m[0] if m["key"].lower() in SHOWN_KEYS else f"{m['sep']}{m['key']}=***",
            redact_dsn(dsn),
        )
        return shown, []
    out: list[str] = []
    unreadable: list[str] = []
    hiding: str | None = None  # the redacted key whose value a bare word may continue
    position = 0
    while (token := _TOKEN.match(dsn, position)) is not None and token.end() > position:
        position = token.end()
        key, value, word = token["key"], token["value"], token["word"]
        if key is not None:
            hiding = None if key.lower() in SHOWN_KEYS else key
            out.append(f"{key}={value}" if hiding is None else f"{key}=***")
            if hiding and value.startswith("'") and (len(value) < 2 or not value.endswith("'")):
                unreadable.append(key)
        elif "=" in word:  # `=` or `=x`: libpq names the empty key; the value is hidden
            head, _, tail = word.partition("=")
            out.append(f"{head}={'***' if tail else ''}")
            hiding = None
        elif hiding is not None:  # `password=two words`: libpq read `words` as a key
            unreadable.append(hiding)
        else:
            out.append("***")
    return " ".join(out), list(dict.fromkeys(unreadable))


def _reason(shown: str, unreadable: list[str]) -> str:
    """libpq's complaint about the redacted string, which holds no secret to quote; if
    that one parses, a hidden value itself was what libpq could not read."""
    try:
        conninfo_to_dict(shown)
    except psycopg.ProgrammingError as exc:
        return first_line(exc)
    what = "its password"
    if unreadable and "password" not in (k.lower() for k in unreadable):
        what = f"the value of {', '.join(unreadable)}"
    return (
        f"libpq cannot read {what} (in key=value form write a value holding "
        "spaces, quotes or backslashes in single quotes, password='two words' with \\' "
        "for a quote; in a URL, percent-encode it)"
    )
