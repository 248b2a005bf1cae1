"""Digests of a person's email address by their name, in `rules init` (Gravatar's ids).

Taiga's timeline_timeline.data `user.gravatar_id` is md5(lower(email)): kept, every one
matched the md5 of its original address, so anyone holding a list of addresses could
tell whose row was whose (and Gravatar serves the person's photo by it). No value test
tells a digest of an address from any other hex, so the name decides: `gravatar`,
`gravatar_id`, `gravatar_hash`, `email_hash`, `email_md5`, `hashed_email`, ... (a
column or a JSON key), whose sampled values are all hex of one digest's length (md5 32,
sha1 40, sha256 64). It gets `hash` of that length: hex again, equal addresses' digests
still equal. A `gravatar` holding URLs or a style ('identicon', 'mp') is no digest and
is left to the other rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import pii

KIND = "email_digest"
DIGEST_LENGTHS = frozenset({32, 40, 64})  # md5, sha1, sha256 in hex
_NAMED = re.compile(
    r"(?:^|_)gravatar(?:_(?:id|hash|md_5|sha_1|sha_256|digest|email_hash|email_md_5))?"
    r"|(?:^|_)(?:e_?mail|email_address|mail)_(?:hash|hashed|md_5|sha_1|sha_256|digest)"
    r"|(?:^|_)hashed_e_?mail"
)
_HEX = re.compile(r"[0-9a-fA-F]+")


def named(name: str) -> bool:
    """A column or key named for a digest of an email address (`gravatarId`)."""
    return _NAMED.fullmatch(pii.normalize(name)) is not None


def rule(name: str, values: Sequence[str] | None) -> tuple[dict[str, int], str] | None:
    """`hash` parameters keeping the digest's length, and why (None: not such a digest)."""
    sample = [v.strip() for v in values or () if v.strip()]
    if not sample or not named(name):
        return None
    lengths = {len(v) for v in sample}
    if len(lengths) != 1 or not lengths <= DIGEST_LENGTHS or not all(map(_HEX.fullmatch, sample)):
        return None
    (length,) = lengths
    why = (
        f"name suggests a digest of an email address (a Gravatar id), {len(sample)} of "
        f"{len(sample)} sampled values are hex of {length} characters: anyone can recompute "
        f"it from an address; hashed to {length} hex characters"
    )
    return {"length": length}, why
