"""Compressed documents kept as text, in `rules init`: base64 of zlib or gzip data.

Sentry keeps each event as base64(zlib(JSON)) in nodestore_node.data (the user's email,
IP address and name, request headers with cookies and tokens): the column was kept with
no note, and verify saw nothing either. The sampled values are decoded and inflated here
(a long value's head alone: a stream inflates as far as it is read) and judged as text
is (the caller's `judge`). SQL cannot inflate, so no strategy masks inside: a value found
personal is replaced whole, by a compressed empty JSON object in the same encoding
('eJyrrgUAAXUA+Q==' for zlib) when the documents are JSON objects; the note says what
the decompressed sample held.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.encoded_text import TEXT, found_in
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy

CUT = " … "  # between a long value's sampled head and tail (sample.py)
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
MAX_INFLATED = 64 * 1024  # per value: enough to judge, bounded against a zip bomb
SHARE = 0.9  # of the non-blank values compressed, for the column to be
_ZLIB_LEVELS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")
_GZIP = b"\x1f\x8b"
Judge = Callable[[Column, Sequence[str]], ColumnProposal]


@dataclass(frozen=True)
class Inflated:
    """The decompressed texts of the sample, and how they were compressed."""

    texts: tuple[str, ...]
    sampled: int
    gzip: bool  # gzip rather than zlib (most values)

    @property
    def objects(self) -> bool:
        return all(t.lstrip().startswith("{") for t in self.texts)

    def empty_object(self) -> str:
        """'{}' compressed and base64-encoded as the values are (gzip without a time)."""
        data = gzip.compress(b"{}", mtime=0) if self.gzip else zlib.compress(b"{}")
        return base64.b64encode(data).decode("ascii")


def inflate(value: str) -> tuple[str, bool] | None:
    """The text a base64 value of zlib or gzip data inflates to (its start when the
    sample holds the value's head only), and whether it was gzip; None otherwise."""
    head = value.strip().partition(CUT)[0]
    if _BASE64.fullmatch(head) is None:
        return None
    try:
        data = base64.b64decode(head[: len(head) // 4 * 4], validate=True)
    except (binascii.Error, ValueError):
        return None
    is_gzip = data.startswith(_GZIP)
    if not (is_gzip or data[:2] in _ZLIB_LEVELS):
        return None
    try:  # 47: a zlib or gzip header, read from the data
        out = zlib.decompressobj(wbits=47).decompress(data, MAX_INFLATED)
        text = out.decode("utf-8", errors="replace")
    except zlib.error:
        return None
    return (text, is_gzip) if text.strip() else None


def read(values: Sequence[str] | None) -> Inflated | None:
    """The inflated sample when nearly all non-blank values (SHARE) are compressed."""
    sample = [v for v in values or () if v.strip()]
    found: list[tuple[str, bool]] = []
    failed = 0
    for value in sample:  # most columns fail at their first values
        if (inflated := inflate(value)) is not None:
            found.append(inflated)
        elif (failed := failed + 1) > (1 - SHARE) * len(sample):
            return None
    if not found or len(found) < SHARE * len(sample):
        return None
    gzipped = sum(1 for _, g in found if g)
    return Inflated(tuple(t for t, _ in found), len(sample), gzip=2 * gzipped > len(found))


def proposal(
    table: Table,
    column: Column,
    inflated: Inflated,
    strategies: Mapping[str, Strategy[Any]],
    judge: Judge,
) -> ColumnProposal:
    """The inflated sample judged as text: replaced whole when found personal, else
    kept with a note (verify cannot read inside either)."""
    kind = "gzip" if inflated.gzip else "zlib"
    what = (
        f"{len(inflated.texts)} of {inflated.sampled} sampled values are base64 of "
        f"{kind}-compressed data"
    )
    as_text = judge(replace(column, type=TEXT), inflated.texts)
    if not as_text.masked:
        return ColumnProposal(
            column.name,
            why=[
                f"REVIEW: {what}, in whose decompressed sample nothing looks personal: "
                "kept (`dbrefresh verify` inflates it again and warns if that changes)"
            ],
        )
    found = found_in(as_text)
    ctx = column_context(table, column, unique=column.name in table.unique_columns())
    options: list[tuple[str, dict[str, Any], str]] = []
    if inflated.objects:
        empty = inflated.empty_object()
        options.append(("constant", {"value": empty}, f"an empty JSON object ({kind}, base64)"))
    options += [("null", {}, "emptied (NULL)"), ("hash", {}, "replaced by its keyed digest")]
    for name, params, done in options:
        if name in strategies and fits(strategies[name], params, ctx):
            return ColumnProposal(
                column.name,
                name,
                params,
                unique=ctx.unique,
                kind="document",
                why=[
                    f"{what}, decompressed: {found}",
                    f"REVIEW: SQL cannot inflate it, so no strategy masks inside: the whole "
                    f"value is {'replaced by ' if name == 'constant' else ''}{done}",
                ],
            )
    return ColumnProposal(
        column.name, why=[f"REVIEW: {what}, decompressed: {found}; no strategy that hides it fits"]
    )
