"""Values no detector can read, among JSON documents in a text column (`rules init`).

Sentry's nodestore_node.data holds an event as plain JSON on some rows and as base64 of
its zlib-compressed JSON on others. Two opaque rows in five were more than json_text
allows of values that are no document, so the column was judged as free text and
every event became `lorem`. Such values are told apart here, simply: a long run of
base64 (named for what its first bytes say: zlib or gzip data), or text holding control
characters (binary kept in text). Pure logic.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

MIN_CHARS = 24  # shorter runs of letters and digits are words, codes, ids
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def kind(value: str) -> str | None:
    """What an opaque value is ('base64 of zlib-compressed data', 'base64', 'binary'),
    or None for a value a detector can read (words, JSON, a short code)."""
    text = value.strip()
    if _CONTROL.search(text):
        return "binary"
    if len(text) < MIN_CHARS or not _BASE64.fullmatch(text) or text.isalpha():
        return None
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        return None
    if raw.startswith(b"\x1f\x8b"):
        return "base64 of gzip-compressed data"
    if len(raw) > 2 and (raw[0] << 8 | raw[1]) % 31 == 0 and _inflates(raw):
        return "base64 of zlib-compressed data"
    return "base64"


def _inflates(raw: bytes) -> bool:
    """Whether the bytes start a zlib stream (a header, then deflate data)."""
    try:
        zlib.decompressobj().decompress(raw[:256])
    except zlib.error:
        return False
    return True


def named(kinds: list[str]) -> str:
    """The kinds of the opaque values, most frequent first ('base64 of zlib-compressed
    data')."""
    counted = sorted({k: kinds.count(k) for k in kinds}.items(), key=lambda kv: -kv[1])
    return ", ".join(k for k, _ in counted)
