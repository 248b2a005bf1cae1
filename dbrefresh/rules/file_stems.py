"""Bare name parts of a masked file path, in `rules init`.

Strapi's files.hash 'jason_smith_0e592a9afb' is the name part of files.url
'/uploads/jason_smith_0e592a9afb.jpg' (the app builds url = '/uploads/' || hash || ext),
and formats.thumbnail.hash that of formats.thumbnail.url. The url got `file_name` (a
path naming people), the hash no detector knew (no folder, no extension): kept, it
kept the names, and no url ended in it any more. A kept text column, or a JSON path
beside a `file_name` path in the same object, whose sampled values are (half of them,
three different at least) the name parts of a `file_name` column's or path's values
gets `file_name` too: on a bare name part it gives the same hex as on the path ending
in it, so the two still join. Pure logic over the sample.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from dbrefresh.catalog import Table
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.file_name import EXTENSION
from dbrefresh.strategies.jsonb_pathsyntax import path_parts

SHARE = 0.5  # of the sampled values, name parts of the masked paths
MIN_DISTINCT = 3  # different name parts: one shared default is no one's file
_EXTENSION = re.compile(EXTENSION, re.IGNORECASE)


def name_part(value: str) -> str:
    """The part file_name hashes: after the last '/', before a known extension."""
    return _EXTENSION.sub("", value.strip().rsplit("/", 1)[-1])


def reason(values: Sequence[str], paths: Sequence[str], source: str) -> str | None:
    """Why the values are the name parts of `paths` (masked as `source`), or None."""
    sample = [v.strip() for v in values if v and v.strip()]
    # only paths with a folder or an extension: a whole copy of a name is no name part
    parts = {name_part(p) for p in paths if p and name_part(p) != p.strip()}
    held = [v for v in sample if v in parts]
    if not sample or len(held) < SHARE * len(sample) or len(set(held)) < MIN_DISTINCT:
        return None
    return (
        f"{len(held)} of {len(sample)} sampled values are the name parts of {source}'s "
        "paths, masked with file_name: masked alike, a path still ends in its name part"
    )


def mask_stem_columns(
    table: Table,
    columns: dict[str, ColumnProposal],
    samples: Mapping[str, Sequence[str] | None],
    keys: Collection[str] = (),
) -> None:
    """`file_name` for the kept text columns holding the name parts of a column masked
    with `file_name` (Strapi's files.hash beside files.url)."""
    masked = [c for c, p in columns.items() if p.strategy == "file_name"]
    for name, proposal in columns.items():
        column = table.columns[name]
        if proposal.masked or name in keys or column.generated or not column.type.is_text:
            continue
        if column.type.is_array or name in table.partition_key:
            continue
        for source in masked:
            why = reason(samples.get(name) or (), samples.get(source) or (), source)
            if why is not None:
                unique = name in table.unique_columns()
                columns[name] = ColumnProposal(
                    name, "file_name", unique=unique, kind="file_name", why=[*proposal.why, why]
                )
                break


def path_findings(
    found: Mapping[str, PathFinding], paths: Mapping[str, Sequence[str]]
) -> dict[str, PathFinding]:
    """Findings for the JSON paths holding the name parts of a `file_name` path in the
    same object (Strapi's formats.thumbnail.hash beside formats.thumbnail.url)."""
    masked = [f.path for f in found.values() if f.kind == "file_name"]
    out = {}
    for path, values in paths.items():
        if path in found:
            continue
        parent = path_parts(path)[:-1]
        for source in masked:
            if path_parts(source)[:-1] != parent:
                continue
            if (why := reason(values, paths.get(source) or (), source)) is not None:
                out[path] = PathFinding(path, "file_name", why, rules=(("file_name", {}),))
                break
    return out
