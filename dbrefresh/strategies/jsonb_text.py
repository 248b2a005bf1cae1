"""JSON kept in a text column, masked as jsonb and written back as text.

The document is parsed once per row (every path reads it several times), a document
masking left alike keeps its own text byte for byte (jsonb_same.py), and one that no
longer fits a varchar(n), or is no JSON at all, gets what jsonb_stray says (or the
`others` rule): neither kept nor failing the table.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import jsonb_bytes, jsonb_others, jsonb_same, jsonb_stray, sqlbuild
from dbrefresh.strategies.base import ColumnContext

# Where a masked expression reads the row's parsed document
PARSED = exp.column("_dbr_doc", table="_dbr_d")


def parsed_once(ctx: ColumnContext, over_parsed: exp.Expression) -> exp.Expression:
    """An expression over PARSED, the text column's value parsed as jsonb once per row
    (NULL when it is no JSON): every path reads the document several times."""
    return sqlbuild.fill(
        "(SELECT :e FROM (SELECT :p AS _dbr_doc OFFSET 0) AS _dbr_d)",
        e=over_parsed,
        p=jsonb_bytes.parsed(ctx),
    )


def json_text(
    ctx: ColumnContext, masked: exp.Expression, others: jsonb_others.OtherRule | None
) -> exp.Expression:
    """The masked document as the text column's value. No JSON (masked is NULL), or
    longer than a varchar(n) allows (a cast would cut it, and the JSON with it): what
    jsonb_stray.replacement says (NULL, `null`, or a hash on a unique column); with
    `others`, what it writes for a value that is no JSON."""
    fits = "length(_dbr_m._dbr_text) <= :n" if ctx.type.length else "_dbr_m._dbr_text IS NOT NULL"
    otherwise = jsonb_stray.replacement(ctx)
    if others is not None:
        text = sqlbuild.fill(
            f"(SELECT CASE WHEN _dbr_m._dbr_other OR {fits} THEN _dbr_m._dbr_text ELSE :o END"
            " FROM (SELECT _dbr_d._dbr_doc IS NULL AS _dbr_other, :t AS _dbr_text"
            " FROM (SELECT dbrefresh.jsonb_or_null(CAST(:r AS TEXT)) AS _dbr_doc OFFSET 0)"
            " AS _dbr_d OFFSET 0) AS _dbr_m)",
            t=jsonb_others.masked_text(
                others,
                ctx,
                PARSED,
                jsonb_same.unless_same(ctx.ref.copy(), masked, PARSED.copy(), "text"),
            ),
            r=ctx.ref,
            o=otherwise,
            n=ctx.type.length or 0,
        )
        return sqlbuild.cast(text, ctx.type.sql)
    text = sqlbuild.fill(
        f"(SELECT CASE WHEN {fits} THEN _dbr_m._dbr_text ELSE :o END"
        " FROM (SELECT CAST(:m AS TEXT) AS _dbr_text OFFSET 0) AS _dbr_m)",
        m=parsed_once(ctx, jsonb_same.unless_same(ctx.ref.copy(), masked, PARSED.copy(), "text")),
        o=otherwise,
        n=ctx.type.length or 0,
    )
    return sqlbuild.cast(text, ctx.type.sql)
