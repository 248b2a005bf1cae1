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
  name in any schema of the path that takes the call's number of arguments
  (overloads.py): overloads of the name in any of them compete on argument types
  (`public.lower(mytype)`), and one in a schema listed before pg_catalog (`SET
  search_path = public, pg_catalog`) wins even on equal ones. `$user` of the path is
  staging's role's schema (staging's catalog), else left out.

The same holds within one schema: `ext.digest(x)` is built in only when every overload
in `ext` taking one argument is the extension's, not when any overload of the name is.
Argument types are not compared (rarely known to the gate): an application overload
taking the same number of arguments as a built-in one makes the call opaque.

A function the migration itself creates (`CREATE FUNCTION public.lower(text)`) counts as
the application's from that statement on (for calls of as many arguments as it takes).
Calls stored for later rather than run now (a view, a column default of a new table, a
function body, a trigger) are not calls yet; `EXECUTE` of a prepared statement is
opaque itself.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from pglast import ast

from dbrefresh.gate.overloads import Overload, arg_count, candidates
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


def _calls(node: Any) -> list[ast.FuncCall]:
    if isinstance(node, _STORED):
        return []
    return [n for n in walk(node) if isinstance(n, ast.FuncCall)]


def called(node: Any) -> list[tuple[str, ...]]:
    """Functions the statement calls when it runs (qualified as written)."""
    return [names(n.funcname) for n in _calls(node)]


def _all_builtin(found: list[Overload], count: int | None) -> bool:
    """The overloads the call may mean (by argument count) are all built in."""
    fitting = candidates(found, count)
    return bool(fitting) and all(o.builtin for o in fitting)


def is_builtin(
    name: tuple[str, ...], known: Knowledge, path: str | None = None, count: int | None = None
) -> bool:
    """Whether the call `name` (qualified as written) of `count` arguments (None:
    unknown) under search_path `path` runs a built-in function (PostgreSQL's own or an
    extension's), not the application's."""
    bare = name[-1].lower() if name else ""
    schema = name[-2] if len(name) > 1 else None
    if schema is not None and schema != "pg_catalog":
        here = [o for o in known.functions.get(bare, []) if o.schema == schema]
        return known.catalog_read and _all_builtin(here, count)
    searched = ("pg_catalog",) if schema else ("pg_catalog", *path_schemas(path, known.role))
    own = [o for s in searched for o in known.created_functions.get(f"{s}.{bare}", [])]
    if own and (count is None or any(o.accepts(count) for o in own)):
        return False  # the migration's own function of that name may be the one called
    if schema == "pg_catalog":
        return True
    if not known.catalog_read:
        return bare in _builtins()
    return _all_builtin([o for o in known.functions.get(bare, []) if o.schema in searched], count)


def opaque_calls(node: Any, known: Knowledge, path: str | None = None) -> list[str]:
    """Names of the functions the statement calls that are not built in, in order
    (resolved under the search_path `path` in force for it)."""
    found = [
        ".".join(names(c.funcname))
        for c in _calls(node)
        if c.funcname and not is_builtin(names(c.funcname), known, path, arg_count(c))
    ]
    return list(dict.fromkeys(found))
