"""Address lists in one value: Zammad's ticket_articles "to"/cc ('"Anna Schmidt"
<anna@kunde.example>, support@firma.example'), LimeSurvey's emailnotificationto
('a@x.example;b@y.example'). Masked whole, a list became one address (reply-all lost
its recipients); masked as words, no address at all. Each address of the list is
masked instead, in place, exactly as a single address would be (so joins to a column
of single addresses hold), keeping its form, the separators, the spaces around them
and the list's length. A ',' inside a quoted display name ('"Weber, Jürgen" <j@x>')
separates nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext

ITEM = "_dbr_addr"
# One item and the separator after it: quoted strings (a ',' inside one separates
# nothing; an unterminated one runs to the end) or any other character but , ; "
# (rules/mail_lists.py splits sampled values by the same pattern, in Python)
LIST_ITEM = r'((?:"[^"]*"|"[^"]*$|[^,;"])*)([,;]|$)'


def item_context(ctx: ColumnContext) -> ColumnContext:
    """The context of one address of a list: text named ITEM, nullable, not unique
    (each address's own digest keeps it distinct), cut to the column's length."""
    return replace(
        ctx,
        column=ITEM,
        type=replace(ctx.type, sql="text", is_array=False, domain=None, domain_checks=()),
        nullable=True,
        unique=False,
    )


def listed(
    ctx: ColumnContext,
    single: exp.Expression,
    each: Callable[[ColumnContext], exp.Expression],
    *,
    truncate: bool,
) -> exp.Expression:
    """`single` unless the value holds a ',' or ';': then each item masked by `each`.

    The test is two strpos() calls, so a single address pays no regular expression; a
    value whose ',' sits in a quoted display name is one item, masked as `single` would;
    one with an item holding no '@' is masked whole, as before.
    A masked list longer than the column is cut (`truncate`, the lossy strategy) or
    refused by PostgreSQL, as a single address too long would be."""
    text = sqlbuild.as_text(ctx.ref)
    core = r"^\s*(.*\S)\s*$"
    masked = sqlbuild.fill(
        "(SELECT string_agg(CASE WHEN _dbr_i._dbr_addr IS NULL THEN _dbr_i._dbr_raw"
        " ELSE _dbr_i._dbr_lead || :each || _dbr_i._dbr_trail END || _dbr_i._dbr_sep,"
        " '' ORDER BY _dbr_i._dbr_ord)"
        " FROM (SELECT _dbr_m._dbr_mv[1] AS _dbr_raw, _dbr_m._dbr_mv[2] AS _dbr_sep,"
        " _dbr_m._dbr_mo AS _dbr_ord,"
        " substring(_dbr_m._dbr_mv[1] FROM :lead) AS _dbr_lead,"
        " substring(_dbr_m._dbr_mv[1] FROM :trail) AS _dbr_trail,"
        " substring(_dbr_m._dbr_mv[1] FROM :core) AS _dbr_addr"
        " FROM regexp_matches((:t COLLATE \"C\"), :p, 'g') WITH ORDINALITY"
        " AS _dbr_m(_dbr_mv, _dbr_mo) OFFSET 0) AS _dbr_i)",
        each=each(item_context(ctx)),
        lead=r"^\s*",
        trail=r"\s*$",
        core=core,
        t=text,
        p=LIST_ITEM,
    )
    # An item with no '@' ('e,f@x.org', 'Weber, Jürgen <j@x.example>') is no list
    odd = sqlbuild.fill(
        "NOT EXISTS (SELECT 1 FROM regexp_matches((:t COLLATE \"C\"), :p, 'g')"
        " AS _dbr_w(_dbr_wv) WHERE strpos(_dbr_wv[1], '@') = 0 AND _dbr_wv[1] ~ :s)",
        t=text.copy(),
        p=LIST_ITEM,
        s=r"\S",
    )
    return sqlbuild.fill(
        "CASE WHEN (strpos((:t1 COLLATE \"C\"), ',') > 0 OR strpos((:t2 COLLATE \"C\"), ';') > 0)"
        " AND :odd THEN :m ELSE :s END",
        t1=text.copy(),
        t2=text.copy(),
        odd=odd,
        m=sqlbuild.fit_text(ctx, masked, truncate=truncate),
        s=single,
    )
