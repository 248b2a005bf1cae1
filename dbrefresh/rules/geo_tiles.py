"""Map tiles of masked coordinates: OSM's users.home_tile beside home_lat/home_lon.

A QuadTile (OSM's `tile` bigint: the interleaved bits of a location's grid cell) is the
location again: `rules init` masked home_lat/home_lon with noise and kept home_tile,
which decodes to the home within ~200 m. A kept numeric column named `tile` or
`<prefix>_tile` in a table whose `<prefix>` coordinates (`<prefix>_lat`, `latitude`,
...) are masked is masked too: `null` when it may be NULL, else the constant 0 (no
noise small enough to keep the cell hides the place; one large enough garbles it
anyway). A REVIEW note says so: an application deriving tiles from the coordinates
(OSM's map queries) should recompute them from the masked ones.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from dbrefresh.catalog import Table
from dbrefresh.rules.proposal import ColumnProposal

_TILE = re.compile(r"(?:(?P<prefix>[a-z0-9_]*?)_)?tile", re.IGNORECASE)
_COORDINATE = re.compile(
    r"(?:(?P<prefix>[a-z0-9_]*?)_)?(?:latitude|longitude|lat|lng|lon|long)", re.IGNORECASE
)


def mask_tiles(
    table: Table, proposals: Mapping[str, ColumnProposal], keys: Collection[str]
) -> None:
    """Mask kept tile columns beside masked coordinates of the same prefix."""
    masked = {
        (found.group("prefix") or "").lower()
        for name, proposal in proposals.items()
        if proposal.masked and (found := _COORDINATE.fullmatch(name))
    }
    for name, proposal in proposals.items():
        column = table.columns[name]
        found = _TILE.fullmatch(name)
        if (
            found is None
            or proposal.masked
            or name in keys
            or column.generated
            or column.type.category != "N"
            or column.type.is_array
            or (found.group("prefix") or "").lower() not in masked
        ):
            continue
        if column.not_null:
            proposal.strategy, proposal.params = "constant", {"value": 0}
        else:
            proposal.strategy, proposal.params = "null", {}
        proposal.kind = "geo"
        proposal.why.append(
            "REVIEW: a map tile of the masked coordinates beside it, which would give the "
            "place again: "
            + ("0 (NOT NULL)" if column.not_null else "NULL")
            + "; recompute it from the masked coordinates if the application needs it"
        )
