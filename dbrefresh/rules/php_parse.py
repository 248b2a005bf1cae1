"""PHP's serialize() output read into Python values, so `rules init` can judge the keys
of WordPress's and Mautic's serialised settings like the paths of a JSON document.

Lengths are bytes (PHP's strlen), as unserialize() reads them; an array with the keys
0..n-1 is a list, any other a dict with text keys; an object's properties are its
dict (a private or protected one's class prefix dropped); a custom (C:) payload, read
by its class alone, is an empty dict. Anything else raises ValueError.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 32
_SCALARS: dict[str, Callable[[str], Any]] = {
    "b": lambda t: t == "1",
    "i": int,
    "d": float,
    "r": int,
    "R": int,
}


def parse(value: str) -> Any:
    """The value serialize() wrote, or ValueError (trailing bytes too)."""
    raw = value.strip().encode()
    parsed, end = _read(raw, 0, 0)
    if end != len(raw):
        raise ValueError("trailing bytes")
    return parsed


def as_json(value: str) -> str | None:
    """The value as a JSON document when it is a serialised array or object, else None."""
    try:
        parsed = parse(value)
    except (ValueError, IndexError, UnicodeDecodeError, RecursionError):
        return None
    return json.dumps(parsed) if isinstance(parsed, dict | list) else None


def _number(raw: bytes, start: int, stop: bytes) -> tuple[int, int]:
    end = raw.index(stop, start)
    return int(raw[start:end]), end


def _read(raw: bytes, pos: int, depth: int) -> tuple[Any, int]:
    if raw.startswith(b"N;", pos):
        return None, pos + 2
    tag = chr(raw[pos])
    if raw[pos + 1 : pos + 2] != b":" or depth > MAX_DEPTH:
        raise ValueError(f"no serialised value at byte {pos}")
    if tag in _SCALARS:
        end = raw.index(b";", pos)
        return _SCALARS[tag](raw[pos + 2 : end].decode()), end + 1
    if tag in "sEOC":
        size, colon = _number(raw, pos + 2, b":")
        start = colon + 2
        text = raw[start : start + size].decode()
        if raw[colon + 1 : start] != b'"' or len(raw[start : start + size]) != size:
            raise ValueError(f"bad string at byte {pos}")
        if tag in "sE":
            if raw[start + size : start + size + 2] != b'";':
                raise ValueError(f"bad string at byte {pos}")
            return text, start + size + 2
        count, brace = _number(raw, start + size + 2, b":")
        if tag == "C":  # the class's own format: nothing to judge
            return {}, brace + 2 + count + 1
        return _items(raw, brace + 1, count, depth, strip=True)
    if tag == "a":
        count, brace = _number(raw, pos + 2, b":")
        return _items(raw, brace + 1, count, depth, strip=False)
    raise ValueError(f"unknown tag {tag!r} at byte {pos}")


def _items(raw: bytes, pos: int, count: int, depth: int, *, strip: bool) -> tuple[Any, int]:
    if raw[pos : pos + 1] != b"{":
        raise ValueError(f"no '{{' at byte {pos}")
    pos += 1
    items: dict[str, Any] = {}
    for _ in range(count):
        key, pos = _read(raw, pos, depth + 1)
        value, pos = _read(raw, pos, depth + 1)
        name = str(key)
        items[name.rpartition("\0")[2] if strip else name] = value
    if raw[pos : pos + 1] != b"}":
        raise ValueError(f"no '}}' at byte {pos}")
    if list(items) == [str(i) for i in range(len(items))] and items:
        return list(items.values()), pos + 1
    return items, pos + 1
