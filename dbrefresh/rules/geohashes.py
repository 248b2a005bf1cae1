"""Geohashes beside masked coordinates: OwnTracks' `ghash` 'u0tvq5j'.

A geohash of seven characters places a phone within about 150 m, and it was kept
beside the latitude and longitude masked to 11 km. A text column or JSON key named
`ghash` or `geohash` whose sampled values are all geohashes keeps its first three
characters (a cell of about 150 km) and the rest become '0', itself a geohash
character: still a valid geohash the application decodes. Pure logic over the sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules import pii
from dbrefresh.rules.proposal import ColumnProposal

KIND = "geo"
KEEP = 3
RULE: tuple[str, dict[str, object]] = ("partial", {"keep_first": KEEP, "mask_char": "0"})
_NAMES = frozenset({"ghash", "geohash", "geo_hash"})
# the geohash alphabet: digits and lower-case letters but a, i, l and o
_GEOHASH = re.compile(r"[0-9b-hjkmnp-z]{1,12}")


def reason(key: str, values: Sequence[str] | None) -> str | None:
    """Why a column or key holds geohashes, or None."""
    norm = pii.normalize(key)
    if norm not in _NAMES and "_".join(norm.split("_")[-2:]) not in _NAMES:
        return None
    sample = [v.strip() for v in values or () if v.strip()]
    if not sample or not all(_GEOHASH.fullmatch(v) for v in sample):
        return None
    if not any(len(v) > KEEP for v in sample):
        return None  # a cell that coarse already
    return (
        f"name suggests a geohash; {len(sample)} of {len(sample)} sampled values are "
        f"geohashes: the first {KEEP} characters kept (a cell of about 150 km), the rest '0'"
    )


def proposal(column: Column, values: Sequence[str] | None) -> ColumnProposal | None:
    """`partial` keeping a geohash's first characters, or None."""
    if not column.type.is_text or (why := reason(column.name, values)) is None:
        return None
    return ColumnProposal(column.name, RULE[0], dict(RULE[1]), kind=KIND, why=[why])
