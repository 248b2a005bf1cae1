"""The content lines of a vCard or an iCalendar object in SQL: split, parsed, rejoined.

RFC 6350 (vCard) and RFC 5545 (iCalendar) share one syntax: `[group.]NAME[;PARAM=v]*:VALUE`
lines ending in CRLF (LF in many stores), a long line folded by a line break followed by
a space or a tab. The text is unfolded first (folding is optional for writers and every
parser reads long lines), split at LF with each line's CR kept to be written back, and
each line parsed by one regular expression into its group, name, parameters and value.
A line the strategy masks to NULL is dropped (string_agg skips it). Set-based: an
ordered string_agg over unnest(...) WITH ORDINALITY, no PL/pgSQL.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild

# One parsed line's columns, as the line's masking expression reads them
LINE = "_dbr_vl"
GROUP, NAME, PROPERTY, PARAMS, VALUE, RAW, CR = (
    "_dbr_grp",
    "_dbr_name",
    "_dbr_prop",
    "_dbr_params",
    "_dbr_val",
    "_dbr_raw",
    "_dbr_cr",
)
NAMES = "_dbr_names"  # the object's N value, for its FN (NULL without one)
# One parameter's columns (`;CN="Ann Lee"`: name CN, value '"Ann Lee"', with '=' at EQ)
PARAM = "_dbr_pp"
PNAME, PVALUE, PTEXT, EQ = "_dbr_pn", "_dbr_pv", "_dbr_p", "_dbr_eq"

# group, name, parameters (a quoted value may hold ':' and ';'), value
CONTENT_LINE = r'^([A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;(?:[^";:]|"[^"]*")*)*):(.*)$'
ONE_PARAM = r';((?:[^";]|"[^"]*")*)'
FOLD = "\r?\n[ \t]"


def line_column(name: str) -> exp.Column:
    """A column of the line being masked."""
    return exp.column(name, table=LINE)


def param_column(name: str) -> exp.Column:
    """A column of the parameter being masked."""
    return exp.column(name, table=PARAM)


def each_line(text: exp.Expression, masked_line: exp.Expression) -> exp.Expression:
    """The text rebuilt from `masked_line` over each of its unfolded lines, in order."""
    return sqlbuild.fill(
        f"(SELECT string_agg(:line, chr(10) ORDER BY {LINE}._dbr_n) FROM"
        f" (SELECT _dbr_vi._dbr_n, _dbr_vi.{CR}, _dbr_vi.{RAW}, _dbr_vi._dbr_m[1] AS {GROUP},"
        f" _dbr_vi._dbr_m[2] AS {NAME}, upper(_dbr_vi._dbr_m[2]) AS {PROPERTY},"
        f" _dbr_vi._dbr_m[3] AS {PARAMS}, _dbr_vi._dbr_m[4] AS {VALUE},"
        f" max(CASE WHEN upper(_dbr_vi._dbr_m[2]) = 'N' THEN _dbr_vi._dbr_m[4] END) OVER ()"
        f" AS {NAMES} FROM"
        " (SELECT _dbr_l._dbr_n,"
        f" CASE WHEN right(_dbr_l._dbr_line, 1) = chr(13) THEN chr(13) ELSE '' END AS {CR},"
        f" rtrim(_dbr_l._dbr_line, chr(13)) AS {RAW},"
        " regexp_match(rtrim(_dbr_l._dbr_line, chr(13)), :pattern) AS _dbr_m"
        " FROM unnest(string_to_array(regexp_replace(:t, :fold, '', 'g'), chr(10)))"
        " WITH ORDINALITY AS _dbr_l(_dbr_line, _dbr_n) OFFSET 0) AS _dbr_vi)"
        f" AS {LINE})",
        line=masked_line,
        pattern=CONTENT_LINE,
        t=text,
        fold=FOLD,
    )


def rebuilt(params: exp.Expression, value: exp.Expression) -> exp.Expression:
    """The line from its group and name, masked parameters and masked value (NULL when
    the value is NULL: the line is dropped)."""
    return sqlbuild.fill(
        "COALESCE(:g, '') || :n || :p || ':' || :v || :cr",
        g=line_column(GROUP),
        n=line_column(NAME),
        p=params,
        v=value,
        cr=line_column(CR),
    )


def each_param(masked_param: exp.Expression) -> exp.Expression:
    """The line's parameters rebuilt from `masked_param` over each (';' before each)."""
    return sqlbuild.fill(
        f"CASE WHEN :ps = '' THEN '' ELSE COALESCE((SELECT string_agg(';' || :each, ''"
        f" ORDER BY {PARAM}._dbr_k) FROM (SELECT _dbr_pr._dbr_k, _dbr_pr._dbr_pm[1] AS {PTEXT},"
        f" split_part(_dbr_pr._dbr_pm[1], '=', 1) AS {PNAME},"
        f" substr(_dbr_pr._dbr_pm[1], strpos(_dbr_pr._dbr_pm[1], '=') + 1) AS {PVALUE},"
        f" strpos(_dbr_pr._dbr_pm[1], '=') AS {EQ}"
        " FROM regexp_matches(:ps2, :one, 'g') WITH ORDINALITY AS _dbr_pr(_dbr_pm, _dbr_k))"
        f" AS {PARAM}), '') END",
        ps=line_column(PARAMS),
        ps2=line_column(PARAMS),
        each=masked_param,
        one=ONE_PARAM,
    )


def each_component(value: exp.Expression, masked_part: exp.Expression) -> exp.Expression:
    """A structured value ('Lee;Ann;;Dr.;' of N, ADR's seven parts) rebuilt from
    `masked_part` over each ';'-separated component (an escaped '\\;' is no separator);
    the component is `_dbr_cp._dbr_part`, its position `_dbr_cp._dbr_k`."""
    return sqlbuild.fill(
        "(SELECT string_agg(:each, ';' ORDER BY _dbr_cp._dbr_k)"
        " FROM unnest(regexp_split_to_array(:v, :sep)) WITH ORDINALITY"
        " AS _dbr_cp(_dbr_part, _dbr_k))",
        each=masked_part,
        v=value,
        sep=r"(?<!\\);",
    )


PART = exp.column("_dbr_part", table="_dbr_cp")
PART_INDEX = exp.column("_dbr_k", table="_dbr_cp")
