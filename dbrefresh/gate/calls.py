"""Function calls the analysis cannot see into.

A call of a function that is not built into PostgreSQL runs SQL the gate never reads (a
`lock_users()` may lock or rewrite any table), in whatever statement it appears: a SELECT
with or without tables, INSERT ... SELECT, UPDATE ... SET, CREATE TABLE AS, an index
expression. Such a statement is opaque: with --dsn it forces the trace, which measures it.

A call is built in only when it resolves to PostgreSQL's own function (or an
extension's) under the search_path in force, whatever its name looks like:

- qualified with `pg_catalog`: built in;
- qualified with another schema (`app.now()`): only a function an extension installed
  there (staging's catalog); an application's `app.now()` is its own code, and without
  staging's catalog such a call is never taken for a built-in one;
- unqualified: a function of that name in pg_catalog (with staging's catalog; without
  it, a name in builtins.txt: PostgreSQL's own functions and common extensions'), or an
  extension's in a schema of the path, and no function of the application's of that
  name in any schema of the path: overloads of the name in any of them compete on
  argument types (`public.lower(mytype)`), and one in a schema listed before
  pg_catalog (`SET search_path = public, pg_catalog`) wins even on equal ones. `$user`
  of the path is staging's role's schema (staging's catalog), else left out.

A function the migration itself creates (`CREATE FUNCTION public.lower(text)`) counts as
the application's from that statement on. Calls stored for later rather than run now (a
view, a column default of a new table, a function body, a trigger) are not calls yet;
`EXECUTE` of a prepared statement is opaque itself.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from pglast import ast

from dbrefresh.gate.relations import path_schemas
from dbrefresh.gate.schema import Knowledge, names, walk

# statements that store expressions instead of evaluating them
_STORED = (
    ast.CreateFunctionStmt,
    ast.ViewStmt,
    ast.CreateStmt,
    ast.CreateTrigStmt,
    ast.CreatePolicyStmt,
    ast.AlterPolicyStmt,
    ast.RuleStmt,
    ast.CreateDomainStmt,
    ast.PrepareStmt,
    ast.CommentStmt,
    ast.DefineStmt,
)


@cache
def _builtins() -> frozenset[str]:
    text = resources.files("dbrefresh.gate").joinpath("builtins.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def called(node: Any) -> list[tuple[str, ...]]:
    """Functions the statement calls when it runs (qualified as written)."""
    if isinstance(node, _STORED):
        return []
    return [names(n.funcname) for n in walk(node) if isinstance(n, ast.FuncCall)]


def is_builtin(name: tuple[str, ...], known: Knowledge, path: str | None = None) -> bool:
    """Whether the call `name` (qualified as written) under search_path `path` runs a
    built-in function (PostgreSQL's own or an extension's), not the application's."""
    bare = name[-1].lower() if name else ""
    schema = name[-2] if len(name) > 1 else None
    if schema is not None and schema != "pg_catalog":
        return known.catalog_read and known.functions.get(bare, {}).get(schema, False)
    searched = ("pg_catalog",) if schema else ("pg_catalog", *path_schemas(path, known.role))
    if any(f"{s}.{bare}" in known.created_functions for s in searched):
        return False  # the migration's own function of that name may be the one called
    if schema == "pg_catalog":
        return True
    if not known.catalog_read:
        return bare in _builtins()
    found = {s: builtin for s, builtin in known.functions.get(bare, {}).items() if s in searched}
    return bool(found) and all(found.values())


def opaque_calls(node: Any, known: Knowledge, path: str | None = None) -> list[str]:
    """Names of the functions the statement calls that are not built in, in order
    (resolved under the search_path `path` in force for it)."""
    found = [".".join(n) for n in called(node) if n and not is_builtin(n, known, path)]
    return list(dict.fromkeys(found))
