"""The jsonb strategy's path syntax: dotted keys, a key holding a dot quoted.

`profile.email` names a key inside a key; a key that holds a dot, a double quote or
a `*` is written in double quotes (`content."m.mentions".user_ids`, a `"` inside
doubled: `"a""b"` is the key a"b), so Matrix Synapse's event JSON (`"m.mentions"`,
`"m.relates_to"`) can be named: split on every dot, those keys could not, and their
user ids reached staging. A bare `*` is every element of the array there (every
member of the object there: jsonb_wildcards.py); a key
named exactly `*` cannot be masked (the leak check's SQL reads `*` as that wildcard).
A segment `[name]` is the values of the elements named `name` of a list of
[name, value, ...] lists there (Frappe's change log `changed.[email_id]`: each change
is [field, old, new], in any order: jsonb_fields.py); a key written in brackets
cannot be masked either. A segment `[key=value]` is the elements of the array there
that are objects whose `key` is the string `value`, the rest of the path read from
each (Typebot's `variables.[name=Email].value`, FHIR's `telecom.[system=email].value`:
lists of objects told apart by a key, in any order: jsonb_fields.py). Every consumer
splits and joins paths here, never on "." itself.
"""

from __future__ import annotations

from collections.abc import Iterable

WILDCARD = "*"
_SPECIAL = (".", '"', WILDCARD)
FIELD_OPEN, FIELD_CLOSE = "[", "]"
SELECTOR_EQUALS = "="


def field_segment(name: str) -> str:
    """The path segment for the values of the elements named `name` (`[email_id]`)."""
    return FIELD_OPEN + name + FIELD_CLOSE


def _bracketed(part: str) -> str | None:
    if len(part) > 2 and part.startswith(FIELD_OPEN) and part.endswith(FIELD_CLOSE):
        return part[1:-1]
    return None


def field_name(part: str) -> str | None:
    """The field a `[name]` segment selects; None for any other segment (a
    `[key=value]` selector included)."""
    inner = _bracketed(part)
    return inner if inner is not None and SELECTOR_EQUALS not in inner else None


def selector_segment(key: str, value: str) -> str:
    """The path segment for the objects whose `key` is `value` (`[name=Email]`)."""
    return FIELD_OPEN + key + SELECTOR_EQUALS + value + FIELD_CLOSE


def selector(part: str) -> tuple[str, str] | None:
    """The (key, value) a `[key=value]` segment selects objects by; None for any other
    segment. The key is what comes before the first `=`, the value the rest."""
    inner = _bracketed(part)
    if inner is None or SELECTOR_EQUALS not in inner:
        return None
    key, value = inner.split(SELECTOR_EQUALS, 1)
    return (key, value) if key and value else None


def selectable(value: str) -> bool:
    """Whether a discriminator's value can be written in a `[key=value]` segment (a
    `].` inside would end it early)."""
    return bool(value) and FIELD_CLOSE + "." not in value and not value.endswith(FIELD_CLOSE)


def is_wild(part: str) -> bool:
    """A segment that walks the elements of an array: `*`, `[name]` (the lists named
    so) or `[key=value]` (the objects holding that value)."""
    return part == WILDCARD or field_name(part) is not None or selector(part) is not None


class PathSyntaxError(ValueError):
    """A path that does not parse (an unterminated quote, an empty key)."""


def path_parts(path: str) -> tuple[str, ...]:
    """The keys of a path, unquoted; WILDCARD for a bare `*`. Raises PathSyntaxError."""
    parts: list[str] = []
    at = 0
    while True:
        if path.startswith('"', at):
            key, at = _quoted(path, at)
        elif path.startswith(FIELD_OPEN, at):
            key, at = _field(path, at)
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


def _field(path: str, start: int) -> tuple[str, int]:
    """The `[name]` segment starting at `start` (the name may hold dots) and where it ends."""
    end = path.find(FIELD_CLOSE + ".", start)
    end = len(path) - 1 if end < 0 else end
    part = path[start : end + 1]
    if field_name(part) is None and selector(part) is None:
        raise PathSyntaxError(
            f"bad path {path!r}: a field's segment is its name in brackets, like "
            "changed.[email_id], or a key and its value, like variables.[name=Email].value "
            "(a key starting with [ is quoted)"
        )
    if selector(part) is not None and end + 1 >= len(path):
        raise PathSyntaxError(
            f"bad path {path!r}: a {part} segment selects objects; name the key to mask "
            f"in them after it ({path}.value)"
        )
    return part, end + 1


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
        if not nameable(key):
            raise PathSyntaxError(
                f"bad path {path!r}: a key named {key} cannot be masked by a path (a bare * "
                "is every element of an array, [name] a field of a list of [name, value] "
                "lists); a `sql` rule can rewrite it"
            )
        return key, end + 1


def quote_key(key: str) -> str:
    """One key as a path segment: quoted when it holds a dot, a quote or a `*`, starts
    with a bracket, or is empty."""
    if key and not any(c in key for c in _SPECIAL) and not key.startswith(FIELD_OPEN):
        return key
    return '"' + key.replace('"', '""') + '"'


def join_path(parts: Iterable[str]) -> str:
    """Keys (WILDCARD: every element, `[name]`: a field) as a path, quoting those that
    need it."""
    return ".".join(p if is_wild(p) else quote_key(p) for p in parts)


def nameable(key: str) -> bool:
    """Whether a JSON key can be part of a path (a key named exactly `*`, or written as
    a field's `[name]`, cannot: the path's text[] holds them as the segments)."""
    return not is_wild(key)


def path_problem(path: str) -> str | None:
    """Why a path does not parse, or None."""
    try:
        path_parts(path)
    except PathSyntaxError as exc:
        return str(exc)
    return None
