"""The jsonb strategy's path syntax: dotted keys, a key holding a dot quoted.

`profile.email` names a key inside a key; a key that holds a dot, a double quote or
a `*` is written in double quotes (`content."m.mentions".user_ids`, a `"` inside
doubled: `"a""b"` is the key a"b), so Matrix Synapse's event JSON (`"m.mentions"`,
`"m.relates_to"`) can be named: split on every dot, those keys could not, and their
user ids reached staging. A bare `*` is every element of the array there (every
member of the object there: jsonb_wildcards.py); a key
named exactly `*` cannot be masked (the leak check's SQL reads `*` as that wildcard).
Every consumer splits and joins paths here, never on "." itself.
"""

from __future__ import annotations

from collections.abc import Iterable

WILDCARD = "*"
_SPECIAL = (".", '"', WILDCARD)


class PathSyntaxError(ValueError):
    """A path that does not parse (an unterminated quote, an empty key)."""


def path_parts(path: str) -> tuple[str, ...]:
    """The keys of a path, unquoted; WILDCARD for a bare `*`. Raises PathSyntaxError."""
    parts: list[str] = []
    at = 0
    while True:
        if path.startswith('"', at):
            key, at = _quoted(path, at)
        else:
            end = path.find(".", at)
            end = len(path) if end < 0 else end
            key, at = path[at:end], end
            if not key:
                raise PathSyntaxError(
                    f"bad path {path!r}: an empty key (use dotted keys like customer.email)"
                )
            if '"' in key:
                raise PathSyntaxError(
                    f"bad path {path!r}: a key with a quote is written in quotes, "
                    'the quote doubled, like "a""b"'
                )
            if WILDCARD in key and key != WILDCARD:
                raise PathSyntaxError(
                    f"bad path {path!r}: every element of an array is a `*` of its own "
                    'between dots, like contacts.*.email (a key with a * is quoted: "a*b")'
                )
        parts.append(key)
        if at == len(path):
            return tuple(parts)
        if path[at] != ".":
            raise PathSyntaxError(f"bad path {path!r}: a quoted key must be followed by a dot")
        at += 1
        if at == len(path):
            raise PathSyntaxError(f"bad path {path!r}: an empty key after the last dot")


def _quoted(path: str, start: int) -> tuple[str, int]:
    """The quoted key starting at `start` and where it ends."""
    out: list[str] = []
    at = start + 1
    while True:
        end = path.find('"', at)
        if end < 0:
            raise PathSyntaxError(f'bad path {path!r}: a quote is not closed (double a " inside)')
        out.append(path[at:end])
        if path.startswith('"', end + 1):  # a doubled quote
            out.append('"')
            at = end + 2
            continue
        key = "".join(out)
        if key == WILDCARD:
            raise PathSyntaxError(
                f"bad path {path!r}: a key named * cannot be masked by a path (a bare * is "
                "every element of an array); a `sql` rule can rewrite it"
            )
        return key, end + 1


def quote_key(key: str) -> str:
    """One key as a path segment: quoted when it holds a dot, a quote or a `*`, or is empty."""
    if key and not any(c in key for c in _SPECIAL):
        return key
    return '"' + key.replace('"', '""') + '"'


def join_path(parts: Iterable[str]) -> str:
    """Keys (WILDCARD: every element) as a path, quoting those that need it."""
    return ".".join(WILDCARD if p == WILDCARD else quote_key(p) for p in parts)


def nameable(key: str) -> bool:
    """Whether a JSON key can be part of a path (a key named exactly `*` cannot)."""
    return key != WILDCARD


def path_problem(path: str) -> str | None:
    """Why a path does not parse, or None."""
    try:
        path_parts(path)
    except PathSyntaxError as exc:
        return str(exc)
    return None
