"""The sql strategy runs one allow-listed expression over the row's own columns and
refuses everything else, saying what it refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlglot import exp

from dbrefresh.rules.relsteps import quote_ident
from dbrefresh.strategies import sqlexpr
from dbrefresh.strategies.registry import get
from tests.strategies.conftest import Masking

REFUSED = [
    ("(SELECT max(vc) FROM people)", "subqueries are not allowed"),
    ("vc IN (SELECT tx FROM people)", "subqueries are not allowed"),
    ("DROP TABLE people", "statements are not allowed"),
    ("upper(vc); DROP TABLE people", "one expression expected, got 2"),
    ("upper(vc); SELECT 1", "one expression expected, got 2"),
    ("pg_read_file('/etc/passwd')", "function pg_read_file() is not allowed"),
    ("pg_sleep(10)", "function pg_sleep() is not allowed"),
    ("pg_catalog.upper(vc)", "dot is not allowed"),
    ("count(*) OVER ()", "not allowed"),
    ("count(vc)", "function count() is not allowed"),
    ("people.vc", "qualified column references are not allowed"),
    ("vc::mood", "casts to user-defined types are not allowed"),
    ("upper(vc", "not valid SQL"),
    ("set_config('dbrefresh.key', 'x', false)", "function set_config() is not allowed"),
    ("current_setting('dbrefresh.key')", "function current_setting() is not allowed"),
    ("nextval('s')", "function nextval() is not allowed"),
    ("$1", "not allowed"),
    # sqlglot maps these to its own nodes (Hex, CurrentTimestamp): the message names the
    # function as written, not sqlglot's node.
    ("to_hex(id)", "function to_hex() is not allowed"),
    ("Now()", "function Now() is not allowed"),
]


@pytest.mark.parametrize(("expression", "reason"), REFUSED)
def test_refused_expressions(expression: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        get("sql").parse_params({"expression": expression})
    assert "expression" in str(info.value)
    assert reason in str(info.value)


INJECTION_COLUMNS = [
    '"vc""; DROP TABLE people; --"',
    '"vc"" || pg_sleep(1) || ""x"',
    '"people"."vc"',
    '"VC"',
]


@pytest.mark.parametrize("column", INJECTION_COLUMNS)
def test_crafted_identifiers_are_refused(masking: Masking, column: str) -> None:
    s = get("sql")
    try:
        params = s.parse_params({"expression": f"upper({column})"})
    except ValidationError as err:
        assert "not allowed" in str(err)
        return
    reasons = s.check(params, masking.context("vc"))
    assert reasons and "columns not in public.people" in reasons[0]
    with pytest.raises(sqlexpr.RefusedExpression):
        s.compile(params, masking.context("vc"))


def test_unquoted_names_fold_to_lower_case(masking: Masking) -> None:
    rows = masking.run("sql", {"expression": "UPPER(VC) || '/' || Id"}, "vc")
    assert rows[0] == ("Person 1", "PERSON 1/1")


def test_sql_keeps_null_and_casts(masking: Masking) -> None:
    rows = masking.run("sql", {"expression": "id * 2"}, "code")
    assert rows[0] == ("K1", "2")
    rows = masking.run("sql", {"expression": "coalesce(vc, 'none')"}, "vc")
    assert all(m is None for o, m in rows if o is None)


def test_sha_digests_are_allowed_and_run(masking: Masking) -> None:
    """sha256() (parsed by sqlglot into its SHA2Digest node) is as allowed as md5():
    it used to be refused as `s_h_a2_digest()`, a name the user never wrote."""
    rows = masking.run("sql", {"expression": "sha256(tx::bytea)::text"}, "tx")
    done = [m for o, m in rows if o is not None]
    assert done and all(m.startswith("\\x") and len(m) == 66 for m in done)
    rows = masking.run("sql", {"expression": "encode(sha512(tx::bytea), 'hex')"}, "tx")
    assert all(len(m) == 128 for o, m in rows if o is not None)


def test_injective_flag() -> None:
    s = get("sql")
    assert s.is_lossy(s.parse_params({"expression": "id"}))
    assert not s.is_lossy(s.parse_params({"expression": "md5(vc)", "injective": True}))


def test_changes_when_is_checked_like_the_expression(masking: Masking) -> None:
    """`changes_when` names the rows the expression changes (verify samples only those):
    it is refused as an expression is, and may read only the row's columns."""
    s = get("sql")
    with pytest.raises(ValidationError, match="pg_sleep"):
        s.parse_params({"expression": "vc", "changes_when": "pg_sleep(1) IS NULL"})
    params = s.parse_params({"expression": "md5(vc)", "changes_when": "nope <> ''"})
    assert "columns not in public.people: nope" in s.check(params, masking.context("vc"))[0]
    params = s.parse_params({"expression": "md5(vc)", "changes_when": "vc <> ''"})
    assert s.leak_sample_when(params, masking.context("vc")) is not None
    assert s.leak_sample_when(s.parse_params({"expression": "vc"}), masking.context("vc")) is None


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_any_quoted_identifier_is_rendered_safely(name: str) -> None:
    """Whatever a quoted name holds, the rendered SQL names exactly that one column."""
    quoted_name = '"' + name.replace('"', '""') + '"'
    try:
        tree = sqlexpr.parse_expression(f"lower({quoted_name})")
    except sqlexpr.RefusedExpression:
        return
    assert sqlexpr.columns(tree) == [name]
    rendered = sqlexpr.quoted(tree).sql(dialect="postgres")
    again = sqlexpr.parse_expression(rendered)
    assert sqlexpr.columns(again) == [name]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=30))
def test_plan_identifiers_are_quoted_as_sqlglot_quotes_them(name: str) -> None:
    """relsteps.quote_ident writes names by hand (it is on the hot path of compiling
    thousands of tables); it must stay what sqlglot's PostgreSQL generator writes."""
    assert quote_ident(name) == exp.to_identifier(name, quoted=True).sql(dialect="postgres")
