"""An XML document in SQL: split into markup and text, leaf elements' text rewritten.

No parser runs in the database, and none is needed to rewrite the text of an element
that holds text only (`<name>Ann Lee</name>`): one regular expression splits the
document into tokens (comments, CDATA sections, processing instructions, declarations,
tags with quoted attribute values, runs of text, a stray '<'), which together are the
document byte for byte. A run of text (or a CDATA section) whose previous token opens
an element and whose next token closes the same one is that element's text; it is
masked by the element's local name (without its namespace prefix), a comment's text
written as spaces, everything else written back as it was. Set-based: an ordered
string_agg over regexp_matches(...) WITH ORDINALITY, the neighbours read with lag() and
lead(), no PL/pgSQL.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from dbrefresh.strategies import sqlbuild

# One token of a document: comment, CDATA, processing instruction, declaration
# (DOCTYPE, with its internal subset), tag (a '>' or a quote inside quotes allowed),
# text, a stray '<'. The alternatives cover every character, so the tokens rejoin to
# the document.
PIECE = (
    r"<!--(?:[^-]|-[^-])*-->"
    r"|<!\[CDATA\[(?:[^]]|\][^]]|\]\][^>])*\]\]>"
    r"|<\?(?:[^?]|\?[^>])*\?>"
    r"""|<![A-Za-z](?:[^<>"'[]|"[^"]*"|'[^']*'|\[[^]]*\])*>"""
    r"""|</?[^ \t\r\n<>!?/]+(?:[^<>"']|"[^"<]*"|'[^'<]*')*>"""
    r"|[^<]+|<"
)
OPEN_NAME = r"^<([^ \t\r\n<>/!?]+)"  # the qualified name a start tag opens
CLOSE_NAME = r"^</([^ \t\r\n<>/!?]+)"
# Character and entity references unescaped before masking, anything else kept
REFERENCE = r"&(?:#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6}|lt|gt|amp|quot|apos);|[^&]+|&"
SPACE = r"[ \t\r\n]"
# What a document looks like: markup first (after a byte order mark, blanks) and last
STARTS, ENDS = r"^[ \t\r\n\uFEFF]*<", r">[ \t\r\n]*$"
# Well-formed UTF-8 without NUL, as hex (convert_from fails on anything else)
UTF8_HEX = (
    r"^(?:[1-7][0-9a-f]|0[1-9a-f]|(?:c[2-9a-f]|d[0-9a-f])[89ab][0-9a-f]"
    r"|e0[ab][0-9a-f][89ab][0-9a-f]|(?:e[1-9a-c]|e[ef])(?:[89ab][0-9a-f]){2}"
    r"|ed[89][0-9a-f][89ab][0-9a-f]|f0(?:9[0-9a-f]|[ab][0-9a-f])(?:[89ab][0-9a-f]){2}"
    r"|f[1-3](?:[89ab][0-9a-f]){3}|f48[0-9a-f](?:[89ab][0-9a-f]){2})*$"
)

# The columns of one token, as the masking expression reads them
TOK = "_dbr_xt"
VALUE = "_dbr_xv"  # the element's text, unescaped (a CDATA section's content as it is)
LOCAL = "_dbr_xl"  # the element's local name, NULL for any other token
CDATA = "_dbr_xc"  # whether the token is a CDATA section
MASKED = "_dbr_xz"  # the element's text masked, unescaped


def looks_like_xml(text: exp.Expression) -> exp.Expression:
    """Whether the text starts and ends with markup (what a document does)."""
    return sqlbuild.fill(":t ~ :s AND :t2 ~ :e", t=text, s=STARTS, t2=text.copy(), e=ENDS)


def is_utf8(raw: exp.Expression) -> exp.Expression:
    """Whether bytes decode as UTF-8 (convert_from would fail the table on others)."""
    return sqlbuild.fill("encode(:r, 'hex') ~ :p", r=raw, p=UTF8_HEX)


def _code(ref: exp.Expression) -> exp.Expression:
    """The code point of a character reference ('&#233;', '&#xE9;')."""
    return sqlbuild.fill(
        "CASE WHEN :e ~ '^&#x' THEN CAST(CAST('x' || lpad(substr(:e, 4, length(:e) - 4), 8, '0')"
        " AS BIT(32)) AS INT) ELSE CAST(substr(:e, 3, length(:e) - 3) AS INT) END",
        e=ref,
    )


def unescaped(text: exp.Expression) -> exp.Expression:
    """The text with the five entity references and character references replaced (a
    reference to no character, '&#0;', kept as written)."""
    ref = exp.column("_dbr_r", table="_dbr_e")
    each = sqlbuild.fill(
        "CASE :e WHEN '&lt;' THEN '<' WHEN '&gt;' THEN '>' WHEN '&amp;' THEN '&'"
        " WHEN '&quot;' THEN '\"' WHEN '&apos;' THEN chr(39)"
        " ELSE CASE WHEN :e ~ '^&#' THEN CASE WHEN :c BETWEEN 1 AND 1114111"
        " AND NOT :c BETWEEN 55296 AND 57343 THEN chr(:c) ELSE :e END ELSE :e END END",
        e=sqlbuild.fill(":r[1]", r=ref),
        c=_code(sqlbuild.fill(":r[1]", r=ref.copy())),
    )
    return sqlbuild.fill(
        "CASE WHEN strpos(:t, '&') = 0 THEN :t ELSE (SELECT string_agg(:each, ''"
        " ORDER BY _dbr_e._dbr_k) FROM regexp_matches(:t, :refs, 'g') WITH ORDINALITY"
        " AS _dbr_e(_dbr_r, _dbr_k)) END",
        t=text,
        each=each,
        refs=REFERENCE,
    )


def escaped(text: exp.Expression) -> exp.Expression:
    """Text as element content: '&', '<' and '>' as references."""
    return sqlbuild.fill(
        "replace(replace(replace(:t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')", t=text
    )


def blanked_comment(comment: exp.Expression) -> exp.Expression:
    """A comment token with its text as as many spaces: an application reads no comment,
    and '<!-- edited by anna@x.org -->' kept its person; spaces make no '--' and keep
    the document's length and offsets."""
    return sqlbuild.fill("'<!--' || repeat(' ', length(:c) - 7) || '-->'", c=comment)


def column(name: str) -> exp.Column:
    """A column of the token being written (unqualified: the nested strategies read
    VALUE as their column)."""
    return exp.column(name, quoted=True)


def _leaf_local(names: list[str]) -> exp.Expression:
    """The local name of the element whose text the token is, when it is one of
    `names` (else NULL): text or CDATA between a start tag and its end tag."""
    if not names:
        return sqlbuild.fill("CAST(NULL AS TEXT)")
    tok, prev, nxt = (exp.column(c, table="_dbr_xn") for c in ("_dbr_xt", "_dbr_xp", "_dbr_xx"))
    opened = sqlbuild.fill("substring(:p FROM :o)", p=prev, o=OPEN_NAME)
    local = sqlbuild.fill("regexp_replace(:o, '^.*:', '')", o=opened)
    return sqlbuild.fill(
        "CASE WHEN right(:p, 2) <> '/>' AND :o = substring(:x FROM :c)"
        " AND (left(:t, 9) = '<![CDATA[' OR (left(:t, 1) <> '<' AND :t ~ :nonblank))"
        " AND :listed THEN :l END",
        p=prev.copy(),
        o=opened.copy(),
        x=nxt,
        c=CLOSE_NAME,
        t=tok,
        nonblank=r"[^ \t\r\n]",
        listed=exp.In(this=local, expressions=[sqlbuild.literal(n) for n in names]),
        l=local.copy(),
    )


def each_token(
    text: exp.Expression,
    names: list[str],
    masked: exp.Expression,
    tag: Callable[[exp.Expression], exp.Expression] | None = None,
) -> exp.Expression:
    """The document rebuilt from its tokens, the text of each element of `names` as
    `masked` (an expression over VALUE, LOCAL, CDATA) writes it: text escaped, a CDATA
    section's content kept in one (a ']]>' in it split over two), the text's leading
    and trailing blanks kept, each comment's text blanked (blanked_comment). `tag`
    rewrites any other token (a start tag's attributes: xml_attributes.py); without it
    they are kept."""
    tok = exp.column(TOK, table="_dbr_xw")
    local = exp.column(LOCAL, table="_dbr_xw")
    value = sqlbuild.fill(
        "CASE WHEN :l IS NULL THEN NULL WHEN left(:t, 9) = '<![CDATA['"
        " THEN substr(:t, 10, length(:t) - 12) ELSE :u END",
        l=local,
        t=tok,
        u=unescaped(sqlbuild.fill("btrim(:t, ' ' || chr(9) || chr(10) || chr(13))", t=tok)),
    )
    written = exp.column(MASKED, quoted=True)
    other = column(TOK) if tag is None else tag(exp.column(TOK, table="_dbr_xq"))
    kept = sqlbuild.fill(
        "CASE WHEN left(:t, 4) = '<!--' THEN :blank ELSE :o END",
        t=column(TOK),
        blank=blanked_comment(column(TOK)),
        o=other,
    )
    out = sqlbuild.fill(
        "CASE WHEN :l IS NULL THEN :k WHEN :c THEN '<![CDATA[' || replace(:m,"
        " ']]>', ']]]]><![CDATA[>') || ']]>' ELSE substring(:t FROM :lead)"
        " || :esc || substring(:t FROM :trail) END",
        l=column(LOCAL),
        k=kept,
        t=column(TOK),
        c=column(CDATA),
        m=written,
        lead=f"^{SPACE}*",
        trail=f"{SPACE}*$",
        esc=escaped(written.copy()),
    )
    return sqlbuild.fill(
        f"(SELECT string_agg(:out, '' ORDER BY _dbr_xq._dbr_xk) FROM"
        f" (SELECT _dbr_xy._dbr_xk, _dbr_xy.{TOK}, _dbr_xy.{LOCAL}, _dbr_xy.{CDATA},"
        f" CASE WHEN _dbr_xy.{LOCAL} IS NULL THEN NULL ELSE COALESCE(:masked, '') END"
        f" AS {MASKED} FROM"
        f" (SELECT _dbr_xw._dbr_xk, _dbr_xw.{TOK}, _dbr_xw.{LOCAL},"
        f" left(_dbr_xw.{TOK}, 9) = '<![CDATA[' AS {CDATA}, :value AS {VALUE} FROM"
        f" (SELECT _dbr_xn._dbr_xk, _dbr_xn.{TOK}, :local AS {LOCAL} FROM"
        f" (SELECT _dbr_xm._dbr_xk, _dbr_xm._dbr_xr[1] AS {TOK},"
        " lag(_dbr_xm._dbr_xr[1]) OVER (ORDER BY _dbr_xm._dbr_xk) AS _dbr_xp,"
        " lead(_dbr_xm._dbr_xr[1]) OVER (ORDER BY _dbr_xm._dbr_xk) AS _dbr_xx"
        " FROM regexp_matches(:doc, :token, 'g') WITH ORDINALITY AS _dbr_xm(_dbr_xr, _dbr_xk))"
        " AS _dbr_xn) AS _dbr_xw OFFSET 0) AS _dbr_xy OFFSET 0) AS _dbr_xq)",
        out=out,
        masked=masked,
        value=value,
        local=_leaf_local(names),
        doc=text,
        token=PIECE,
    )
