"""Whether a jsonb path holds anything the jsonb strategy masks, for verify's sample.

A document whose listed paths hold only JSON null, blank text or an array of those
(Chatwoot's `{"cc_emails": []}`) comes out of masking unchanged, rightly: sampled as
an original that must change, every such document was reported as a leak and the
nightly refresh failed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from dbrefresh.strategies import sqlbuild

Changed = Callable[[exp.Expression], exp.Expression]  # a text value -> whether it changes


def holds_maskable(
    value: exp.Expression,
    key: exp.Expression,
    *,
    wildcard: bool = False,
    changed: Changed | None = None,
) -> exp.Expression:
    """True when the path `key` (a text[] literal) of the jsonb `value` holds a
    non-blank scalar, an object, or an array with an element that is neither JSON
    null nor blank (array elements are masked one by one, blanks and nulls kept); for
    a `wildcard` path (`contacts.*.email`), when one of the values it reaches does.
    With `changed`, only such a value it says the path's strategy changes counts: a
    `forms` path keeps a Supabase email identity's `sub` (its user's UUID), and the
    document holding nothing else comes out unchanged, rightly."""
    element = exp.column("_dbr_e", table="_dbr_w" if wildcard else "_dbr_h")
    test = sqlbuild.fill("btrim(:e) <> ''", e=element)
    if changed is not None:
        test = sqlbuild.fill(":t AND (:c)", t=test, c=changed(element.copy()))
    if wildcard:  # dbrefresh.json_path_values (sql/schema.sql) walks the arrays
        return sqlbuild.fill(
            "EXISTS (SELECT FROM dbrefresh.json_path_values(:v, CAST(:k AS TEXT[]))"
            " AS _dbr_w(_dbr_o, _dbr_e) WHERE :test)",
            v=value,
            k=key,
            test=test,
        )
    scalar = sqlbuild.fill("btrim(:v #>> CAST(:k AS TEXT[])) <> ''", v=value.copy(), k=key.copy())
    if changed is not None:
        text = sqlbuild.fill("(:v #>> CAST(:k AS TEXT[]))", v=value.copy(), k=key.copy())
        scalar = sqlbuild.fill(":s AND (:c)", s=scalar, c=changed(text))
    return sqlbuild.fill(
        "CASE jsonb_typeof(:v #> CAST(:k AS TEXT[]))"
        " WHEN 'array' THEN EXISTS (SELECT FROM jsonb_array_elements_text(:v #> CAST(:k AS TEXT[]))"
        " AS _dbr_h(_dbr_e) WHERE :test)"
        " WHEN 'null' THEN FALSE"
        " ELSE :scalar END",
        v=value,
        k=key,
        test=test,
        scalar=scalar,
    )
