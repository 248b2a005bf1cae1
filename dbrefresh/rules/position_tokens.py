"""Tracking tokens that are positions in a stream, not secrets, in `rules init`.

Axon keeps each event processor's place in token_entry.token: bytea holding XML,
`<org.axonframework.eventhandling.GlobalSequenceTrackingToken><globalIndex>934
</globalIndex></...>` (a JSON serializer writes `{"globalIndex":934}`; Debezium's
offsets are alike). Named `token`, the column got `hash`, and the processor could no
longer read where it stood. A column whose every sampled value is an XML or JSON
document naming a position (a key or element `globalIndex`, `index`, `offset`, `lsn`,
..., or a `*TrackingToken` type) whose leaves are numbers (at least one: the position)
or identifiers without digits (a class name, `true`), none under a key or attribute
naming a secret (`code`, `pin`, `nonce`, ...), is such a position: its name's `secret`
is refused (name_evidence.py). A random string, a JWT or hex anywhere in a document, a
document without a number or naming no position (`<otp><code>483921</code></otp>`,
`<pairing pin="4821"/>`: the number is the secret), keeps the name's rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from dbrefresh.rules.pii import match_name, normalize

MAX_LENGTH = 10_000  # characters of a document read
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z_$.\-]{0,199}")  # a class name, a word: no digit
_TAG = re.compile(r"<\s*[/?]?\s*([\w.:$-]+)([^<>]*)>")  # and the `<?xml ...?>` prolog
_ATTRIBUTE = re.compile(r"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
Leaf = tuple[str, Any]  # the key or tag holding a value, the value
# words of a key or element naming a place in a stream (`globalIndex`, Debezium's `lsn`)
_POSITION_WORDS = frozenset(
    {"index", "offset", "position", "pos", "sequence", "seq", "segment", "lsn", "scn"}
)
# words of a key or attribute whose value is a secret even when it is a number: an OTP
# `<code>483921</code>`, a pairing `pin="4821"`, a reset `<nonce>83920184</nonce>`
_SECRET_WORDS = frozenset(
    {"code", "otp", "pin", "nonce", "key", "secret", "password", "passwd", "pwd", "token"}
    | {"salt", "hash", "challenge", "verifier", "passcode", "pincode"}
)


def positions(sample: Sequence[str]) -> str | None:
    """What the values are when every one is a document of positions, or None."""
    values = [v.strip() for v in sample if v.strip()]
    if not values or any(len(v) > MAX_LENGTH for v in values):
        return None
    for value in values:
        leaves = _leaves(value)
        if leaves is None or not any(_is_number(v) for _, v in leaves):
            return None
        if not _names_position(value, leaves):
            return None
        if not all(_harmless(key, leaf) for key, leaf in leaves):
            return None
    return (
        f"all {len(values)} sampled values are XML or JSON documents of positions "
        "(naming a position; numbers under keys naming no secret, no token-like string)"
    )


def _words(name: str) -> set[str]:
    """`org.axon.GlobalSequenceTrackingToken` -> {global, sequence, tracking, token}."""
    return set(normalize(name.rsplit(".", 1)[-1]).split("_"))


def _names_position(value: str, leaves: list[Leaf]) -> bool:
    """A key, element or attribute naming a place in a stream, or a tracking token type
    (Axon's element or `class` attribute `...GlobalSequenceTrackingToken`)."""
    names = [*_keys(value), *(k for k, _ in leaves)]
    names += [v for _, v in leaves if isinstance(v, str)]
    for name in names:
        words = _words(name)
        if words & _POSITION_WORDS or normalize(name).endswith("tracking_token"):
            return True
    return False


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or bool(
        isinstance(value, str) and _NUMBER.fullmatch(value)
    )


def _harmless(key: str, value: Any) -> bool:
    """A leaf no secret hides in: a number, a flag, nothing, or a word without digits,
    under a key that names no secret."""
    named = match_name(key, "")
    if named is not None and named.kind == "secret":
        return False
    if _words(key) & _SECRET_WORDS:
        return False
    if value is None or isinstance(value, bool) or _is_number(value):
        return True
    return isinstance(value, str) and (value == "" or _IDENT.fullmatch(value) is not None)


def _keys(value: str) -> list[str]:
    """Every element's name, or every object key at any depth (holding a leaf or not)."""
    if value[0] == "<":
        return [found[1] for found in _TAG.finditer(value)]
    keys: list[str] = []
    stack = [json.loads(value)]  # parsed before, by _leaves
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            keys += map(str, node)
            stack += node.values()
        elif isinstance(node, list):
            stack += node
    return keys


def _leaves(value: str) -> list[Leaf] | None:
    """The document's leaves with the keys holding them, or None when it is none."""
    if value[0] in "{[":
        try:
            return list(_json_leaves("", json.loads(value)))
        except ValueError:
            return None
    if value[0] == "<" and value[-1] == ">":
        return _xml_leaves(value)
    return None


def _json_leaves(key: str, node: Any) -> Iterator[Leaf]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _json_leaves(str(k), v)
    elif isinstance(node, list):
        for v in node:
            yield from _json_leaves(key, v)
    else:
        yield key, node


def _xml_leaves(value: str) -> list[Leaf] | None:
    """Text between tags under the tag before it, and attribute values."""
    leaves: list[Leaf] = []
    end, tag = 0, ""
    for found in _TAG.finditer(value):
        if text := value[end : found.start()].strip():
            leaves.append((tag, text))
        tag, end = found[1], found.end()
        for attribute in _ATTRIBUTE.finditer(found[2]):
            leaves.append((attribute[1], attribute[2] or attribute[3] or ""))
    return leaves if end == len(value) else None
