"""Which function a call means, on a real PostgreSQL: a name that looks built in but
resolves to the application's own code (another schema, an earlier schema of the
search_path, a function the migration creates) is opaque and traced; calls that
resolve to pg_catalog or an extension stay built in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dbrefresh.gate.model import LockMode
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import GateResult, Limits

# holds ACCESS EXCLUSIVE on big for a while: what a call of the application's code may do
_LOCKS_BIG = (
    "LANGUAGE plpgsql AS $$ BEGIN LOCK TABLE big IN ACCESS EXCLUSIVE MODE; "
    "PERFORM pg_sleep(0.3); RETURN {}; END $$"
)


def _codes(result: GateResult) -> set[tuple[str, str]]:
    return {(f.finding.code, f.finding.severity.value) for f in result.findings}


@pytest.fixture
def shadowing_dsn(staging_dsn: str) -> str:
    """Staging with application functions named like built-in ones: app.now(),
    public.lower(text) and lower(int), and an extension's function in schema ext."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA app")
        conn.execute("CREATE SCHEMA ext")
        conn.execute("CREATE FUNCTION app.now() RETURNS timestamptz " + _LOCKS_BIG.format("now()"))
        conn.execute("CREATE FUNCTION public.lower(text) RETURNS text " + _LOCKS_BIG.format("$1"))
        conn.execute("CREATE FUNCTION public.lower(int) RETURNS int " + _LOCKS_BIG.format("$1"))
        conn.execute("CREATE EXTENSION pgcrypto SCHEMA ext")
    return staging_dsn


def _traced_lock_on_big(result: GateResult) -> None:
    assert result.trace is not None
    assert ("trace-lock-held", "error") in _codes(result)
    held = [s.trace.blocking_lock for s in result.statements if s.trace is not None]
    assert ("big", LockMode.ACCESS_EXCLUSIVE) in held
    assert not result.passed


@pytest.mark.parametrize(
    "body",
    [
        "SELECT app.now();\n",  # qualified with the application's schema
        "SET search_path = public, pg_catalog;\nSELECT lower('A');\n",  # public first
        "SELECT lower(id) FROM small LIMIT 1;\n",  # pg_catalog first, public's overload wins
    ],
)
def test_a_call_resolving_to_the_applications_function_is_opaque_and_traced(
    shadowing_dsn: str, write_sql: Callable[..., Path], body: str
) -> None:
    path = write_sql("SET lock_timeout = '2s';\n" + body)

    result = gate([path], GateOptions(dsn=shadowing_dsn, limits=Limits(max_lock_seconds=0.1)))

    assert ("opaque-statement", "warning") in _codes(result) or result.trace is not None
    _traced_lock_on_big(result)


def test_a_function_the_migration_creates_makes_its_name_opaque(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "SET search_path = public, pg_catalog;\n"
        "CREATE FUNCTION public.lower(text) RETURNS text " + _LOCKS_BIG.format("$1") + ";\n"
        "SELECT lower('A');\n"
    )

    static = gate([path], GateOptions())
    result = gate([path], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=0.1)))

    assert static.statements[3].rules == ["opaque-statement"]
    assert result.statements[3].rules[:1] == ["opaque-statement"]
    _traced_lock_on_big(result)


def test_without_staging_only_pg_catalog_or_unqualified_names_are_built_in(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql(
        "SELECT app.now();\n"
        "SELECT myschema.lower('A');\n"
        "SELECT pg_catalog.lower('A'), lower('A'), now();\n"
    )

    static = gate([path], GateOptions())

    assert [s.rules for s in static.statements] == [["opaque-statement"]] * 2 + [[]]
    assert "app.now()" in static.statements[0].classified.hits[0].detail


def test_calls_resolving_to_pg_catalog_or_an_extension_force_nothing(
    shadowing_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """app.now() and public.lower(text) exist, but these calls do not mean them: no
    trace is forced and nothing is reported."""
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "SELECT now(), pg_catalog.lower('A'), upper('a');\n"  # app is not on the path
        "SELECT ext.gen_random_bytes(4);\n"  # the extension's, qualified
        "SET search_path = ext, public;\n"
        "SELECT gen_random_bytes(4), now();\n"  # the extension's, through the path
    )

    result = gate([path], GateOptions(dsn=shadowing_dsn))

    assert result.findings == [] and result.passed and result.trace is None


def test_a_function_in_the_roles_own_schema_counts_through_dollar_user(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """The default search_path starts with `$user`: a schema named after staging's role
    is searched, and its lower(int) is what `lower(id)` calls."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA AUTHORIZATION CURRENT_USER")
        role = (conn.execute("SELECT current_user").fetchone() or ("",))[0]
        conn.execute(f'CREATE FUNCTION "{role}".lower(int) RETURNS int ' + _LOCKS_BIG.format("$1"))
    path = write_sql("SET lock_timeout = '2s';\nSELECT lower(id) FROM small LIMIT 1;\n")

    result = gate([path], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=0.1)))

    _traced_lock_on_big(result)


@pytest.mark.parametrize(
    "body",
    ["SELECT ext.digest('x');\n", "SET search_path = ext, public;\nSELECT digest('x');\n"],
)
def test_an_applications_overload_beside_an_extensions_in_one_schema_is_opaque(
    shadowing_dsn: str, write_sql: Callable[..., Path], body: str
) -> None:
    """ext holds pgcrypto's digest(text, text) and digest(bytea, text) and the
    application's digest(text): a one-argument call can only mean the application's,
    though the schema holds the extension's too (it was taken for built in)."""
    with psycopg.connect(shadowing_dsn, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION ext.digest(text) RETURNS text " + _LOCKS_BIG.format("$1"))

    path = write_sql("SET lock_timeout = '2s';\n" + body)
    result = gate([path], GateOptions(dsn=shadowing_dsn, limits=Limits(max_lock_seconds=0.1)))

    assert "opaque-statement" in result.statements[-1].rules
    _traced_lock_on_big(result)


def test_an_overload_taking_another_number_of_arguments_is_not_the_one_called(
    shadowing_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """public.upper(text, int) and ext.digest(text) exist: `upper('a')` and
    `ext.digest('x', 'sha256')` cannot call them (argument count), so they force nothing;
    `upper('a', 1)` does."""
    with psycopg.connect(shadowing_dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION public.upper(text, int) RETURNS text " + _LOCKS_BIG.format("$1")
        )
        conn.execute("CREATE FUNCTION ext.digest(text) RETURNS text " + _LOCKS_BIG.format("$1"))
    light = write_sql(
        "SET lock_timeout = '2s';\nSELECT upper('a');\nSELECT ext.digest('x', 'sha256');\n"
    )

    result = gate([light], GateOptions(dsn=shadowing_dsn))

    assert result.findings == [] and result.passed and result.trace is None

    heavy = write_sql("SET lock_timeout = '2s';\nSELECT upper('a', 1);\n", "V2__upper.sql")
    limits = Limits(max_lock_seconds=0.1)
    _traced_lock_on_big(gate([heavy], GateOptions(dsn=shadowing_dsn, limits=limits)))


def test_a_function_the_migration_creates_competes_only_at_its_argument_count(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql(
        "CREATE FUNCTION public.lower(text, int DEFAULT 0, VARIADIC xs int[] DEFAULT '{}') "
        "RETURNS text LANGUAGE sql AS 'SELECT $1';\n"
        "SELECT lower('A');\n"  # lower(text, [int], [VARIADIC]) takes one argument
        "SELECT upper('A'), count(*) FROM pg_class;\n"
        "CREATE FUNCTION public.upper(a text, b int, OUT c text) LANGUAGE sql AS 'SELECT a';\n"
        "SELECT upper('A');\n"  # upper(text, int): not this call
        "SELECT upper('A', 2);\n"
    )

    static = gate([path], GateOptions())

    rules = [s.rules for s in static.statements]
    assert rules == [[], ["opaque-statement"], [], [], [], ["opaque-statement"]], rules
