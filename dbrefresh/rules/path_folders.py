"""Columns of file paths stay paths, their personal folders hashed, in `rules init`.

Immich's assets."originalPath" ('upload/library/anthony119/2019/2019-03-08/Anthony
Vasconcelos birthday party.HEIC') named its owner in a few rows: own_names.py (and the
free-text detector for its "sidecarPath") gave it `lorem`, words that are no path, so
the sidecar no longer sat at the original's path plus '.xmp' and no file was found. A
column whose sampled values are mostly files or paths (file_names.is_file) with a
known extension gets `file_name` instead: the name hashed, the extensions kept, and a
sidecar masked as its original plus its own extension.

Its folders hold a person too: 'anthony119' is the owner's storage label. The folders
of the sampled paths that vary (neither a date nor an id, which `file_name` keeps
anyway, nor in COMMON_SHARE of the paths: 'upload', 'library', the application's
own) are hashed (`folders: hash`), the common ones listed in `keep_folders`; a common
folder that is a first or last name ('anthony' on a server of one user) is hashed too.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from dbrefresh.rules import file_names, pii_values
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.file_name import EXTENSION

COMMON_SHARE = 0.3  # of the sampled paths holding a folder: the application's own
MIN_COMMON = 3  # paths holding it, at least
# file_name's KEPT_FOLDER in Python's syntax: ASCII digits and punctuation only, a
# UUID, long hex
_KEPT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}",
    re.IGNORECASE | re.ASCII,
)
_NO_LETTER = frozenset(string.digits + string.punctuation + string.whitespace)
_KNOWN = re.compile(EXTENSION, re.IGNORECASE)
_WORDS = re.compile(r"[^\W\d_]+")


def mostly_paths(values: Sequence[str]) -> bool:
    """Whether most sampled values are file names or paths ending in a known extension
    (Matomo's scheme-less 'shop.example.com/search?q=...' is an address, not a file)."""
    sample = [v for v in values if v.strip()]
    files = sum(1 for v in sample if file_names.is_file(v) and _KNOWN.search(v.strip()))
    return bool(sample) and files >= file_names.FILE_SHARE * len(sample)


def params_for(values: Sequence[str]) -> dict[str, Any]:
    """`file_name`'s parameters: `folders: hash` (the common folders kept) when some
    sampled folders vary, else none (folders kept)."""
    folders = [_folders(v) for v in values if v.strip() and file_names.is_file(v)]
    held = [f for f in folders if f]
    counts = Counter(s for f in held for s in set(f))
    first, last = pii_values.all_names()

    def common(segment: str) -> bool:
        named = any(w.lower() in first or w.lower() in last for w in _WORDS.findall(segment))
        return (
            not named and counts[segment] >= max(MIN_COMMON, COMMON_SHARE * len(held))
        )  # fmt: skip

    varying = {s for s in counts if not _kept(s) and not common(s)}
    if not varying:
        return {}
    kept = sorted(s for s in counts if not _kept(s) and common(s))
    return {"folders": "hash", "keep_folders": kept}


def _kept(segment: str) -> bool:
    """A folder `file_name` keeps under `folders: hash` whatever the list says."""
    return _KEPT.fullmatch(segment) is not None or set(segment) <= _NO_LETTER


def _folders(value: str) -> list[str]:
    """The folders of a path (an address's path: file_names), without empty ones."""
    text = value.strip()
    if "://" in text:
        found = file_names.path_of(text)
        text = found or ""
    return [s for s in text.split("/")[:-1] if s and s not in {".", ".."}]


def why(params: dict[str, Any]) -> str:
    """The comment for a path column's `file_name` rule."""
    if params.get("folders") != "hash":
        return "the name hashed, folders and known extensions kept: still a path"
    kept = ", ".join(params.get("keep_folders") or ()) or "none"
    return (
        "the name and the folders that vary hashed (alike in every row and column), "
        f"dates, ids and the common folders ({kept}) kept: still a path, a sidecar "
        "still its original's path plus its extension"
    )


def as_path(
    proposal: ColumnProposal, values: Sequence[str] | None, fit: Callable[[dict[str, Any]], bool]
) -> None:
    """`file_name` for a `lorem` column whose values are mostly paths (module
    docstring), in place."""
    if proposal.strategy != "lorem" or not mostly_paths(values or ()):
        return
    params = params_for(values or ())
    if not fit(params):
        return
    proposal.strategy, proposal.params, proposal.kind = "file_name", params, "file_name"
    proposal.why.append(f"most sampled values are file paths: {why(params)}")
