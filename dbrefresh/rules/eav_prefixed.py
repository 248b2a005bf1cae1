"""Key/value tables whose key and value columns share a prefix: sp_name, sp_value_exact.

HAPI FHIR's search indexes hold one row per indexed parameter of a resource:
hfj_spidx_string(sp_name, sp_value_exact, sp_value_normalized) is a patient's family
name under 'family', a street under 'address', a ZIP under 'address-postalcode';
hfj_spidx_token(sp_name, sp_system, sp_value) an SSN under 'identifier' and a LOINC
code under 'code'. OpenEMR's globals(gl_name, gl_value) is every setting of the
clinic. No pair of key/value names matched (eav.py), so the value columns were judged
whole: the names, 100 of 1000 rows, were too few to mask (kept), and the codes and
settings became lorem for the sake of one phone number or email. A key column
`<p>_name` or `<p>_key` beside text value columns `<p>_value` or `<p>_value_<any>`
(the same prefix, so `product_name` beside `price_value` is no pair) is read as a
key/value table: each value column is switched on the key.
"""

from __future__ import annotations

import re

from dbrefresh.catalog import Column, Table

DATES = frozenset({"date", "timestamp", "timestamptz"})
_KEY = re.compile(r"^([a-z][a-z0-9]*)_(name|key)$")


def prefixed_pairs(table: Table) -> list[tuple[Column, Column]]:
    """(key, value) for each text value column sharing a key column's prefix, the
    value columns in table order."""
    columns = sorted(table.columns.values(), key=lambda c: c.num)
    for key in columns:
        found = _KEY.match(key.name.lower())
        if not found or not _is_text(key):
            continue
        value = re.compile(rf"^{re.escape(found.group(1))}_value(_[a-z0-9_]+)?$")
        pairs = [(key, c) for c in columns if value.match(c.name.lower()) and _is_value(c)]
        if pairs:
            return pairs
    return []


def _is_text(column: Column) -> bool:
    return column.type.category == "S" and not column.type.is_array and not column.generated


def _is_value(column: Column) -> bool:
    """Text, or a date or timestamp (HAPI's hfj_spidx_date.sp_value_low)."""
    return _is_text(column) or (
        column.type.base in DATES and not column.type.is_array and not column.generated
    )
