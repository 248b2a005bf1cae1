"""Which columns `rules init` samples, and which of them are documents read as text.

Its own module: propose.py judges the samples, sample.py reads them.
"""

from __future__ import annotations

from dbrefresh.catalog import Table
from dbrefresh.strategies.base import ColumnType
from dbrefresh.strategies.generalize import POINT  # degrees or pixels: point_locations.py

SAMPLED_CATEGORIES = frozenset("S")
TEXT_SEARCH = "tsvector"
# Documents sampled as text for contact details (no strategy masks inside them), and
# so are composite values (category C: a row type such as an address).
DOCUMENT_TYPES = frozenset({"xml", "hstore"})
COMPOSITE = "C"


def is_document(col_type: ColumnType) -> bool:
    return not col_type.is_array and (
        col_type.base in DOCUMENT_TYPES or col_type.category == COMPOSITE
    )


def is_bytes(col_type: ColumnType) -> bool:
    """A bytea column: rules init samples it in hex for propose.py's bytea rules only
    (packed addresses, text kept as bytes: rules/bytea_values.py); not in
    sampled_columns, which verify's drift check samples too."""
    return col_type.base == "bytea" and not col_type.is_array


def sampled_bytes(table: Table) -> list[str]:
    return [c.name for c in table.columns.values() if not c.generated and is_bytes(c.type)]


def sampled_columns(table: Table) -> list[str]:
    """Columns worth sampling: text and arrays of text (for value detectors), JSON (for
    its paths), text-search vectors (their words), XML or hstore documents, composite
    values and points (degrees or not)."""
    return [
        c.name
        for c in table.columns.values()
        if not c.generated
        and (
            c.type.category in SAMPLED_CATEGORIES
            or c.type.is_json
            or (not c.type.is_array and c.type.base in {TEXT_SEARCH, POINT})
            or is_document(c.type)
        )
    ]
