"""Folders named after people in kept paths, in `rules init`: a REVIEW note.

Immich's assets.originalPath '/upload/library/anna/2023/IMG_1.jpg' holds its owner's
first name, lower-cased, as a folder (a storage label per user), and was kept with no
note while its sidecarPath, the same path and '.xmp', earned one. A path column one of
whose folders, at one depth, is a first name of the dictionaries in most rows, and
different ones (NOTE_PEOPLE), earns a REVIEW note with the counts: a first name alone
is weak evidence (folders 'rose', 'mark' are words), so it stays kept, but no longer
silently. Counts only, never a value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from dbrefresh.rules import pii_values

PATH_SHARE = 0.5  # of the sampled values paths (two '/' at least)
NAMED_SHARE = 0.5  # of the paths with a first name as the folder at one depth
NOTE_PEOPLE = 3  # different first names at that depth


def note(values: Sequence[str]) -> str | None:
    """A REVIEW note for paths whose folders at one depth are mostly first names."""
    sample = [v.strip() for v in values if v.strip()]
    paths = [v for v in sample if v.count("/") >= 2 and "://" not in v]
    if not paths or len(paths) < PATH_SHARE * len(sample):
        return None
    first, _ = pii_values.all_names()
    rows: Counter[int] = Counter()
    names: dict[int, set[str]] = {}
    for path in paths:
        for depth, folder in enumerate(path.split("/")[:-1]):
            if folder.lower() in first:
                rows[depth] += 1
                names.setdefault(depth, set()).add(folder.lower())
    for depth, count in rows.most_common(1):
        if count >= NAMED_SHARE * len(paths) and len(names[depth]) >= NOTE_PEOPLE:
            return (
                f"REVIEW: {count} of {len(sample)} sampled values are paths with a first "
                f"name as the same folder ({len(names[depth])} different): kept; a folder "
                "per person names them (mask it with the names it is built from)"
            )
    return None
