"""A start tag in SQL: the values of chosen attributes rewritten, every other byte kept.

`<contact email="ann@x.org" name="Ann Lee"/>` carries its person in attributes, which
the `xml` strategy kept byte for byte. One regular expression splits a start tag (or an
empty-element tag) into pieces (an attribute with its quoted value, blanks, the rest),
which together are the tag byte for byte. An attribute whose local name (its namespace
prefix aside; namespace declarations never) is listed has its value unescaped, masked,
escaped again for the quote it is written in and written back between the same quotes,
its leading and trailing blanks kept. Set-based, as xml_tokens.py: an ordered
string_agg over regexp_matches(...) WITH ORDINALITY, no PL/pgSQL.
"""

from __future__ import annotations

import re

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.xml_tokens import LOCAL, VALUE, unescaped

# One piece of a tag: an attribute and its quoted value, blanks, a run of anything
# else, a quoted run, a stray quote. PostgreSQL takes the longest alternative, so an
# attribute is never split into a run and a quoted run.
ANY_ATTRIBUTE = r"""[^ \t\r\n<>"'=/]+[ \t\r\n]*=[ \t\r\n]*(?:"[^"]*"|'[^']*')"""
PIECE = ANY_ATTRIBUTE + r"""|[ \t\r\n]+|[^ \t\r\n"']+|"[^"]*"|'[^']*'|["']"""
ATTRIBUTE = rf"^{ANY_ATTRIBUTE}$"  # a piece that is an attribute
QUALIFIED = r"""^([^ \t\r\n<>"'=/]+)[ \t\r\n]*="""  # an attribute piece's qualified name
NAMESPACE = r"^xmlns(:|$)"  # a namespace declaration: no attribute, never masked
SPACE = r"[ \t\r\n]"


def _listed(names: list[str]) -> str:
    """A pattern finding any of `names` as an attribute of a tag (any prefix)."""
    alternatives = "|".join(re.escape(n) for n in names)
    return rf"""{SPACE}(?:[^ \t\r\n<>"'=/:]+:)?(?:{alternatives}){SPACE}*="""


def escaped(text: exp.Expression, quote: exp.Expression) -> exp.Expression:
    """Text as an attribute value between `quote`: '&', '<', '>' and that quote as
    references, and tab, line feed and carriage return as character references (a
    parser reads them as spaces otherwise)."""
    plain = sqlbuild.fill(
        "replace(replace(replace(replace(replace(replace(:t, '&', '&amp;'), '<', '&lt;'),"
        " '>', '&gt;'), chr(9), '&#9;'), chr(10), '&#10;'), chr(13), '&#13;')",
        t=text,
    )
    return sqlbuild.fill(
        "CASE WHEN :q = '\"' THEN replace(:p, '\"', '&quot;') ELSE replace(:p2, chr(39),"
        " '&apos;') END",
        q=quote,
        p=plain,
        p2=plain.copy(),
    )


def rewritten(tag: exp.Expression, names: list[str], masked: exp.Expression) -> exp.Expression:
    """The tag with the value of each attribute of `names` as `masked` (an expression
    over VALUE, the value unescaped and trimmed, and LOCAL, the attribute's local name)
    writes it; any other token, and a tag holding none of them, as it is."""
    piece = exp.column("_dbr_at", table="_dbr_an")
    raw = exp.column("_dbr_av", table="_dbr_an")
    qualified = sqlbuild.fill("substring(:p FROM :q)", p=piece, q=QUALIFIED)
    local = sqlbuild.fill(
        "CASE WHEN :n !~ :ns AND :v ~ :nonblank"
        " AND :listed THEN regexp_replace(:n3, '^.*:', '') END",
        n=qualified,
        ns=NAMESPACE,
        v=raw,
        nonblank=r"[^ \t\r\n]",
        listed=exp.In(
            this=sqlbuild.fill("regexp_replace(:n, '^.*:', '')", n=qualified.copy()),
            expressions=[sqlbuild.literal(n) for n in names],
        ),
        n3=qualified.copy(),
    )
    value = unescaped(sqlbuild.fill("btrim(:v, ' ' || chr(9) || chr(10) || chr(13))", v=raw.copy()))
    row = {c: exp.column(c, table="_dbr_ay") for c in ("_dbr_at", "_dbr_av", "_dbr_ah")}
    quote = sqlbuild.fill("right(:p, 1)", p=row["_dbr_at"])
    out = sqlbuild.fill(
        "CASE WHEN :l IS NULL THEN :p ELSE :h || substring(:v FROM :lead) || :esc"
        " || substring(:v2 FROM :trail) || :q END",
        l=exp.column(LOCAL, table="_dbr_ay"),
        p=row["_dbr_at"].copy(),
        h=row["_dbr_ah"],
        v=row["_dbr_av"],
        lead=f"^{SPACE}*",
        esc=escaped(
            sqlbuild.fill("COALESCE(:m, '')", m=exp.column("_dbr_az", table="_dbr_ay")), quote
        ),
        v2=row["_dbr_av"].copy(),
        trail=f"{SPACE}*$",
        q=quote.copy(),
    )
    start = sqlbuild.fill(
        "left(:t, 1) = '<' AND substr(:t2, 2, 1) NOT IN ('/', '!', '?') AND :t3 ~ :listed",
        t=tag,
        t2=tag.copy(),
        t3=tag.copy(),
        listed=_listed(names),
    )
    return sqlbuild.fill(
        f"CASE WHEN :start THEN (SELECT string_agg(:out, '' ORDER BY _dbr_ay._dbr_ak) FROM"
        f" (SELECT _dbr_aw._dbr_ak, _dbr_aw._dbr_at, _dbr_aw._dbr_av, _dbr_aw._dbr_ah,"
        f" _dbr_aw.{LOCAL}, CASE WHEN _dbr_aw.{LOCAL} IS NULL THEN NULL ELSE :masked END"
        " AS _dbr_az FROM"
        f" (SELECT _dbr_an._dbr_ak, _dbr_an._dbr_at, _dbr_an._dbr_av, _dbr_an._dbr_ah,"
        f" :local AS {LOCAL}, CASE WHEN :local2 IS NULL THEN NULL ELSE :value END AS {VALUE}"
        " FROM (SELECT _dbr_ap._dbr_ak, _dbr_ap._dbr_at, CASE WHEN _dbr_ap._dbr_at ~ :attribute"
        " THEN substr(_dbr_ap._dbr_at, _dbr_ap._dbr_aq + 1,"
        " length(_dbr_ap._dbr_at) - _dbr_ap._dbr_aq - 1) END AS _dbr_av,"
        " left(_dbr_ap._dbr_at, _dbr_ap._dbr_aq) AS _dbr_ah FROM (SELECT _dbr_am._dbr_ak,"
        " _dbr_am._dbr_ar[1] AS _dbr_at, strpos(_dbr_am._dbr_ar[1], right(_dbr_am._dbr_ar[1], 1))"
        " AS _dbr_aq FROM regexp_matches(:tag, :piece, 'g') WITH ORDINALITY"
        " AS _dbr_am(_dbr_ar, _dbr_ak)) AS _dbr_ap) AS _dbr_an) AS _dbr_aw OFFSET 0) AS _dbr_ay)"
        " ELSE :tag2 END",
        start=start,
        out=out,
        masked=masked,
        local=local,
        local2=local.copy(),
        value=value,
        attribute=ATTRIBUTE,
        tag=tag.copy(),
        piece=PIECE,
        tag2=tag.copy(),
    )
