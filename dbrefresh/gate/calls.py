"""Function calls the analysis cannot see into.

A call of a function that is not built into PostgreSQL runs SQL the gate never reads (a
`lock_users()` may lock or rewrite any table), in whatever statement it appears: a SELECT
with or without tables, INSERT ... SELECT, UPDATE ... SET, CREATE TABLE AS, an index
expression. Such a statement is opaque: with --dsn it forces the trace, which measures it.

Built in: qualified with `pg_catalog`; else, with staging's catalog read, a function of
that name in pg_catalog or belonging to an extension; without it, a name in
builtins.txt (PostgreSQL's own functions and common extensions'). Calls stored for later
rather than run now (a view, a column default of a new table, a function body, a
trigger) are not calls yet; `EXECUTE` of a prepared statement is opaque itself.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from pglast import ast

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


def is_builtin(name: tuple[str, ...], known: Knowledge) -> bool:
    if len(name) > 1 and name[-2] == "pg_catalog":
        return True
    bare = name[-1].lower() if name else ""
    if known.catalog_read:
        return known.builtin_functions.get(bare, False)
    return bare in _builtins()


def opaque_calls(node: Any, known: Knowledge) -> list[str]:
    """Names of the functions the statement calls that are not built in, in order."""
    found = [".".join(n) for n in called(node) if n and not is_builtin(n, known)]
    return list(dict.fromkeys(found))
