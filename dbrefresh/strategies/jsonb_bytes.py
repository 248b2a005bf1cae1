"""jsonb on bytea: UTF-8 JSON kept as bytes, masked path by path and written back.

Camunda keeps JSON process variables in act_ge_bytearray.bytes_ ({"firstName": ...,
"address": {...}}), Axon its events' payload, Ory Kratos courier_messages.template_data:
no strategy read inside bytea, so the whole value was emptied ('{}', NULL or no bytes)
and the application lost every document, the BPMN deployments beside them too. Here the
bytes are read as UTF-8 JSON (dbrefresh.jsonb_of_utf8 in sql/functions.sql: NULL for
bytes that are no UTF-8 or no JSON, without raising), masked exactly as a jsonb
column's document (the same nested strategies: an email masks as in an email column),
and written back as UTF-8. A value that is no JSON document goes the way of JSON kept
in text (jsonb_stray.py: NULL, the bytes `null` if NOT NULL, a JSON string of a keyed
hash if unique), or to `others` (jsonb_others.py), a strategy over the bytes themselves
(`keep` for BPMN XML beside the documents, `null` for serialized Java objects).
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import jsonb_others, jsonb_stray, sqlbuild
from dbrefresh.strategies.base import ColumnContext

# Where the masked expression reads the parsed document (jsonb_text.PARSED's alias)
DOC = exp.column("_dbr_doc", table="_dbr_d")


def is_bytes(ctx: ColumnContext) -> bool:
    """A bytea column (not an array of them): its documents are UTF-8 JSON."""
    return ctx.type.base == "bytea" and not ctx.type.is_array


def parsed(ctx: ColumnContext) -> exp.Expression:
    """The column's value as jsonb: JSON kept in text or as UTF-8 in bytea; NULL when it
    is no JSON (or no UTF-8), never an error."""
    if is_bytes(ctx):
        return sqlbuild.fill("dbrefresh.jsonb_of_utf8(:r)", r=ctx.ref)
    return sqlbuild.fill("dbrefresh.jsonb_or_null(CAST(:r AS TEXT))", r=ctx.ref)


def masked(
    ctx: ColumnContext, document: exp.Expression, others: jsonb_others.OtherRule | None
) -> exp.Expression:
    """The bytea column's value: `document` (the masked jsonb over DOC) as UTF-8; for a
    value that is no JSON, `others` over the bytes, or the jsonb_stray replacement (also
    for a JSON string, which may be anything, as in text)."""
    stray = sqlbuild.fill("convert_to(:t, 'UTF8')", t=jsonb_stray.replacement(ctx))
    other = stray.copy()
    if others is not None:
        strategy, sub = others.resolve()
        other = sqlbuild.cast(strategy.compile(sub, ctx), "bytea")
    value = sqlbuild.fill(
        "(SELECT CASE WHEN _dbr_d._dbr_doc IS NULL THEN :o"
        " WHEN jsonb_typeof(_dbr_d._dbr_doc) = 'string' THEN :s"
        " ELSE COALESCE(convert_to(CAST(:m AS TEXT), 'UTF8'), :s2) END"
        " FROM (SELECT :p AS _dbr_doc OFFSET 0) AS _dbr_d)",
        o=other,
        s=stray,
        m=document,
        s2=stray.copy(),
        p=parsed(ctx),
    )
    return sqlbuild.cast(value, ctx.type.sql)
