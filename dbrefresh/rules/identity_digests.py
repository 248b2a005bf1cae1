"""Hex digests of a masked identity kept beside it, in `rules init`.

Sentry's sentry_eventuser.hash is md5('id:' + ident) (or of 'email:' + email, ...):
the identity columns were masked and the digest kept, so anyone could recompute it
from a guessed ident or address to learn which row was whose, and it no longer matched
the masked values it was computed from. No value test shows what a digest was computed
from, so a kept text column is judged by its name and shape: named for a digest
(`hash`, `user_hash`, `email_md5`, `identdigest`; not of content, a commit or a file's
bytes, which name no one and are looked up by), its sampled values all hex of one
digest's length (md5 32, sha1 40, sha256 64) and nearly all distinct, in a table where
a column identifying someone (an address, a login: nearly all distinct, or unique) is
masked. It gets `hash` of the same length: hex again, as long as before, distinct
values still distinct (a unique key holds), equal digests still equal.

Only masked columns of a person's identity count (IDENTITY_KINDS: an address, a login,
an ident, a name, a phone number): a masked file name or free-text note is nearly
all distinct too, but nothing is a digest of it (Discourse's uploads.sha1 beside
original_filename is the file's bytes', Gitea's release.sha1 beside its note a
commit's). And a digest whose values another kept column of the table holds (the
upload's url '/uploads/default/original/1X/<sha1>.pdf') is kept: the application
finds the one by the other, and hashed it would no longer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dbrefresh.catalog import Catalog
from dbrefresh.rules.copies import IDENTIFIER
from dbrefresh.rules.cross_copies import identifying
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.text_samples import Ref, TextSample

DIGEST_LENGTHS = frozenset({32, 40, 64})  # md5, sha1, sha256 in hex
MIN_VALUES = 5  # distinct sampled values, before a column is judged
DISTINCT_SHARE = 0.8  # of the sampled values: one digest per person, not a shared one
_NAMED = re.compile(r"hash|digest|md5|sha(1|256|512)", re.IGNORECASE)
# Digests of what names no one, which the application looks things up by
_NOT_OF_PEOPLE = re.compile(
    r"content|commit|blob|object|tree|body|file|etag|checksum|data|revision|image|attachment",
    re.IGNORECASE,
)
_HEX = re.compile(r"[0-9a-fA-F]+")
_HEX_RUN = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])")
# What a digest of a person is computed from: an address, a login, an ident, a name,
# a phone number (not a file name, a note or a token, which are unique too)
IDENTITY_KINDS = frozenset(
    {"email", "username", "user_id", "first_name", "last_name", "full_name", "phone"}
)


def hash_identity_digests(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
) -> None:
    """`hash` of the same length for kept digests beside masked identifying columns."""
    beside: dict[str, list[str]] = {}
    for source, masked_column in identifying(catalog, proposals, samples):
        if proposals[source][masked_column].kind in IDENTITY_KINDS:
            beside.setdefault(source, []).append(masked_column)
    for name, masked in beside.items():
        table = catalog.tables[name]
        columns = proposals[name]
        keyed = {c for fk in catalog.fks_touching(name) if fk.table == name for c in fk.columns}
        keyed |= {
            c for fk in catalog.fks_touching(name) if fk.ref_table == name for c in fk.ref_columns
        }
        for column, proposal in columns.items():
            info = table.columns[column]
            sample = samples.get((name, column))
            if (
                proposal.masked
                or sample is None
                or column in keyed
                or IDENTIFIER.search(column)
                or info.generated
                or info.type.is_array
                or not _NAMED.search(column)
                or _NOT_OF_PEOPLE.search(column)
            ):
                continue
            length = _digest_length(sample)
            if length is None or (info.type.length or length) < length:
                continue
            if _linked(sample, name, column, columns, samples):
                continue  # the url holding the upload's sha1: hashed, it no longer would
            columns[column] = ColumnProposal(
                column,
                "hash",
                {"length": length},
                unique=column in table.unique_columns(),
                kind="identity_digest",
                why=[
                    f"hex digests of {length} characters beside {', '.join(sorted(masked))}, "
                    "which are masked: a digest of the originals gives them away to guesses "
                    f"and no longer matches them; hashed to {length} hex characters"
                ],
            )


def _digest_length(sample: TextSample) -> int | None:
    """The length of the hex digests the sampled values all are (nearly all distinct),
    or None."""
    values = sample.values
    lengths = {len(v) for v in values}
    if (
        len(values) < MIN_VALUES
        or sample.distinct < DISTINCT_SHARE * sample.sampled
        or len(lengths) != 1
        or not lengths <= DIGEST_LENGTHS
        or not all(_HEX.fullmatch(v) for v in values)
    ):
        return None
    return next(iter(lengths))


def _linked(
    sample: TextSample,
    table: str,
    column: str,
    columns: Mapping[str, ColumnProposal],
    samples: Mapping[Ref, TextSample],
) -> bool:
    """Whether another kept text column of the table holds some of the sampled digests
    (whole or inside a longer value): a digest of 32 hex characters or more meets
    another by no chance."""
    for other, proposal in columns.items():
        held = samples.get((table, other))
        if other == column or proposal.masked or held is None:
            continue
        runs = {run for value in held.values for run in _HEX_RUN.findall(value)}
        if not runs.isdisjoint(sample.values):
            return True
    return False
