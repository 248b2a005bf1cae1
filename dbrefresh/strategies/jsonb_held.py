"""Whether a jsonb path holds anything the jsonb strategy masks, for verify's sample.

A document whose listed paths hold only JSON null, blank text or an array of those
(Chatwoot's `{"cc_emails": []}`) comes out of masking unchanged, rightly: sampled as
an original that must change, every such document was reported as a leak and the
nightly refresh failed.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild


def holds_maskable(
    value: exp.Expression, key: exp.Expression, *, wildcard: bool = False
) -> exp.Expression:
    """True when the path `key` (a text[] literal) of the jsonb `value` holds a
    non-blank scalar, an object, or an array with an element that is neither JSON
    null nor blank (array elements are masked one by one, blanks and nulls kept); for
    a `wildcard` path (`contacts.*.email`), when one of the values it reaches does."""
    if wildcard:  # dbrefresh.json_path_values (sql/schema.sql) walks the arrays
        return sqlbuild.fill(
            "EXISTS (SELECT FROM dbrefresh.json_path_values(:v, CAST(:k AS TEXT[]))"
            " AS _dbr_w(_dbr_o, _dbr_e) WHERE btrim(_dbr_w._dbr_e) <> '')",
            v=value,
            k=key,
        )
    return sqlbuild.fill(
        "CASE jsonb_typeof(:v #> CAST(:k AS TEXT[]))"
        " WHEN 'array' THEN EXISTS (SELECT FROM jsonb_array_elements_text(:v #> CAST(:k AS TEXT[]))"
        " AS _dbr_h(_dbr_e) WHERE btrim(_dbr_h._dbr_e) <> '')"
        " WHEN 'null' THEN FALSE"
        " ELSE btrim(:v #>> CAST(:k AS TEXT[])) <> '' END",
        v=value,
        k=key,
    )
