"""A start tag in SQL: the values of chosen attributes rewritten, every other byte kept.

`<contact email="ann@x.org" name="Ann Lee"/>` carries its person in attributes, which
the `xml` strategy kept byte for byte. One regular expression splits a start tag (or an
empty-element tag) into pieces (an attribute with its quoted value, blanks, the rest),
which together are the tag byte for byte. An attribute whose local name (its namespace
prefix aside; namespace declarations never) is listed has its value unescaped, masked,
escaped again for the quote it is written in and written back between the same quotes,
its leading and trailing blanks kept. Set-based, as xml_tokens.py: an ordered
string_agg over regexp_matches(...) WITH ORDINALITY, no PL/pgSQL. A tag naming none
of the attributes (strpos, no regular expression) is not split, and each level is
kept apart (OFFSET 0): flattened, the planner repeated a piece's name test in every
reference to it, and masking cost eight times the elements'.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.xml_tokens import LOCAL, VALUE, unescaped

# One piece of a tag: an attribute and its quoted value, blanks, a run of anything
# else, a quoted run, a stray quote. PostgreSQL takes the longest alternative, so an
# attribute is never split into a run and a quoted run.
ANY_ATTRIBUTE = r"""[^ \t\r\n<>"'=/]+[ \t\r\n]*=[ \t\r\n]*(?:"[^"]*"|'[^']*')"""
PIECE = ANY_ATTRIBUTE + r"""|[ \t\r\n]+|[^ \t\r\n"']+|"[^"]*"|'[^']*'|["']"""
# An attribute piece's qualified name (NULL for any other piece)
QUALIFIED = r"""^([^ \t\r\n<>"'=/]+)[ \t\r\n]*=[ \t\r\n]*(?:"[^"]*"|'[^']*')$"""
PREFIX = "^.*:"  # a qualified name's prefix, as xml_tokens.py strips an element's
SPACE = r"[ \t\r\n]"
BLANKS = "' ' || chr(9) || chr(10) || chr(13)"


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


def _mentions(tag: exp.Expression, names: list[str]) -> exp.Expression:
    """Whether a start tag (or empty-element tag) may hold one of `names`: a cheap
    test before splitting it (a longer name holding one passes, and is kept later)."""
    any_name = sqlbuild.expression(
        exp.or_(*(sqlbuild.fill("strpos(:t, :n) > 0", t=tag.copy(), n=name) for name in names))
    )
    return sqlbuild.fill(
        "left(:t, 1) = '<' AND substr(:t2, 2, 1) NOT IN ('/', '!', '?') AND (:any)",
        t=tag,
        t2=tag.copy(),
        any=any_name,
    )


def rewritten(tag: exp.Expression, names: list[str], masked: exp.Expression) -> exp.Expression:
    """The tag with the value of each attribute of `names` as `masked` (an expression
    over VALUE, the value unescaped and trimmed, and LOCAL, the attribute's local name)
    writes it; any other token, and a tag holding none of them, as it is."""
    qualified = exp.column("_dbr_an", table="_dbr_am")
    local = sqlbuild.fill("regexp_replace(:n, :p, '')", n=qualified, p=PREFIX)
    listed = sqlbuild.fill(
        "CASE WHEN :n <> 'xmlns' AND left(:n2, 6) <> 'xmlns:' AND :chosen THEN :l END",
        n=qualified.copy(),
        n2=qualified.copy(),
        chosen=exp.In(this=local, expressions=[sqlbuild.literal(n) for n in names]),
        l=local.copy(),
    )
    raw = exp.column("_dbr_av", table="_dbr_ap")
    trimmed = sqlbuild.fill(f"btrim(:v, {BLANKS})", v=raw)
    held = sqlbuild.fill(
        "CASE WHEN :v <> '' THEN _dbr_ap._dbr_al END", v=trimmed.copy()
    )  # a blank value stays
    value = sqlbuild.fill(
        "CASE WHEN _dbr_ap._dbr_al IS NOT NULL AND :v <> '' THEN :u END",
        v=trimmed.copy(),
        u=unescaped(trimmed.copy()),
    )
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
    at = "_dbr_am._dbr_at"
    return sqlbuild.fill(
        "CASE WHEN :start THEN (SELECT string_agg(:out, '' ORDER BY _dbr_ay._dbr_ak) FROM"
        " (SELECT _dbr_aw._dbr_ak, _dbr_aw._dbr_at, _dbr_aw._dbr_av, _dbr_aw._dbr_ah,"
        f" _dbr_aw.{LOCAL}, CASE WHEN _dbr_aw.{LOCAL} IS NULL THEN NULL ELSE :masked END"
        " AS _dbr_az FROM"
        " (SELECT _dbr_ap._dbr_ak, _dbr_ap._dbr_at, _dbr_ap._dbr_av, _dbr_ap._dbr_ah,"
        f" :held AS {LOCAL}, :value AS {VALUE} FROM"
        # the listed attribute's local name, its value between the quotes, what precedes
        f" (SELECT _dbr_am._dbr_ak, {at}, :listed AS _dbr_al,"
        f" CASE WHEN _dbr_am._dbr_an IS NOT NULL THEN substr({at}, _dbr_am._dbr_aq + 1,"
        f" length({at}) - _dbr_am._dbr_aq - 1) END AS _dbr_av,"
        f" left({at}, _dbr_am._dbr_aq) AS _dbr_ah FROM"
        " (SELECT _dbr_ar._dbr_ak, _dbr_ar._dbr_ax[1] AS _dbr_at,"
        " substring(_dbr_ar._dbr_ax[1] FROM :qualified) AS _dbr_an,"
        " strpos(_dbr_ar._dbr_ax[1], right(_dbr_ar._dbr_ax[1], 1)) AS _dbr_aq"
        " FROM regexp_matches(:tag, :piece, 'g') WITH ORDINALITY AS _dbr_ar(_dbr_ax, _dbr_ak)"
        " OFFSET 0) AS _dbr_am OFFSET 0) AS _dbr_ap) AS _dbr_aw OFFSET 0) AS _dbr_ay)"
        " ELSE :tag2 END",
        start=_mentions(tag, names),
        out=out,
        masked=masked,
        held=held,
        value=value,
        listed=listed,
        qualified=QUALIFIED,
        tag=tag.copy(),
        piece=PIECE,
        tag2=tag.copy(),
    )
