"""Digests of a masked file name or path, in `rules init`.

Moodle's mdl_files.pathnamehash is the sha1 of the file's full path, file name
included. The file name got `file_name` and the digest was kept: it no longer matched
the masked path (Moodle looks files up by it), and anyone could recover the original
names by hashing guesses ('/1/assignsubmission_file/.../anna_schmidt_cv.docx') until
one matched. In a table with a column proposed `file_name`, a kept text column named
for a digest of a path or name (`pathnamehash`, `path_hash`, `filename_sha1`) whose
sampled values are all hex of one digest's length (md5 32, sha1 40, sha256 64) gets
`hash` of that length: hex again, as long as before, distinct values still distinct,
and equal digests (one path) still equal. A digest of the content (`contenthash`)
names no path and stays: the stored file is found by it.

file_name keeps a directory entry's name ('.', '..') and blank text: their paths are
unchanged, so their digests are too (Moodle's 600 directory rows kept '.' and lost the
sha1 of their own path). The digest is a `switch` on the file-name column: those names
`keep`, every other value `hash`. With several file-name columns (Moodle's `source`, the
file's origin, too), the one whose sample holds directory entries; none or several of
them: the digest is hashed whole (so is a path ending in one, 'a/b/.', no case).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dbrefresh.catalog import Table
from dbrefresh.rules import pii
from dbrefresh.rules.proposal import ColumnProposal

# The values file_name keeps as they are (file_name.DIRECTORY, blank text), whose
# digests stay: their path did not change
KEPT_NAMES = (".", "..", "")
DIGEST_LENGTHS = frozenset({32, 40, 64})  # md5, sha1, sha256 in hex
MIN_VALUES = 3  # sampled values, before a column is judged a digest
_NAMED = re.compile(r"(path|name).*(hash|digest|sha|md5)|(hash|digest|sha|md5).*(path|name)")
_HEX = re.compile(r"[0-9a-fA-F]+")


def digest_length(values: Sequence[str]) -> int | None:
    """The length of the hex digests the values all are, or None."""
    sample = [v for v in values if v.strip()]
    lengths = {len(v) for v in sample}
    if len(sample) < MIN_VALUES or len(lengths) != 1 or not lengths <= DIGEST_LENGTHS:
        return None
    return next(iter(lengths)) if all(_HEX.fullmatch(v) for v in sample) else None


def hash_path_digests(
    table: Table,
    columns: dict[str, ColumnProposal],
    samples: Mapping[str, Sequence[str] | None],
    keys: set[str],
) -> None:
    """`hash` for the kept digests of a path beside a column masked with `file_name`."""
    masked = [c for c, p in columns.items() if p.strategy == "file_name"]
    if not masked:
        return
    for name, proposal in columns.items():
        column = table.columns[name]
        if proposal.masked or name in keys or column.generated or not column.type.is_text:
            continue
        if column.type.is_array or not _NAMED.search(pii.normalize(name).replace("_", "")):
            continue
        length = digest_length(samples.get(name) or ())
        if length is None or (column.type.length or length) < length:
            continue
        why = (
            f"hex digests of {length} characters beside {', '.join(masked)} masked "
            "with file_name: a digest of the original path would no longer match it "
            f"and gives the names away to guesses; hashed to {length} hex characters"
        )
        unique = name in table.unique_columns()
        by = _file_name_column(masked, samples)
        if by is None:
            columns[name] = ColumnProposal(
                name, "hash", {"length": length}, unique=unique, kind="path_digest", why=[why]
            )
            continue
        kept = ", ".join(repr(n) for n in KEPT_NAMES)
        columns[name] = ColumnProposal(
            name,
            "switch",
            {
                "by": by,
                "cases": dict.fromkeys(KEPT_NAMES, "keep"),
                "default": {"strategy": "hash", "length": length},
            },
            unique=unique,
            kind="path_digest",
            why=[
                f"{why}; kept where {by} is {kept} (a directory entry or blank, "
                "which file_name keeps): their path is unchanged, so is its digest"
            ],
        )


def _file_name_column(masked: list[str], samples: Mapping[str, Sequence[str] | None]) -> str | None:
    """The file-name column the digest's rows keep with their name: the only one, or the
    only one whose sample holds directory entries ('.', '..')."""
    if len(masked) == 1:
        return masked[0]
    held = [c for c in masked if any(v in KEPT_NAMES for v in samples.get(c) or ())]
    return held[0] if len(held) == 1 else None
