"""JSON kept in text or json written back as it was when the jsonb strategy masked
nothing in it.

jsonb masks a text or json column's document as jsonb and writes back its text,
normalized: key order, spaces and duplicate keys changed in every row, those holding
nothing to mask too. Home Assistant finds its state_attributes rows by a hash of their
text (`hash` beside `shared_attrs`), and after a refresh none matched. A document whose
masked form equals the original (compared as jsonb) keeps its own text, byte for byte.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild


def unless_same(
    ref: exp.Expression, masked: exp.Expression, parsed: exp.Expression, as_type: str
) -> exp.Expression:
    """The masked document as `as_type` (text or json), or the column's own value when
    masking changed nothing (equal as jsonb): JSON kept in text or json comes out as it
    went in, key order and spaces too, where re-serialized it changed in every row
    (Home Assistant finds its state_attributes rows by a hash of their text). The mask
    is computed once (OFFSET 0), though read twice."""
    return sqlbuild.fill(
        f"(SELECT CASE WHEN _dbr_u._dbr_um = _dbr_u._dbr_uo THEN CAST(:r AS {as_type.upper()})"
        f" ELSE CAST(_dbr_u._dbr_um AS {as_type.upper()}) END"
        " FROM (SELECT :m AS _dbr_um, :p AS _dbr_uo OFFSET 0) AS _dbr_u)",
        r=ref,
        m=masked,
        p=parsed,
    )
