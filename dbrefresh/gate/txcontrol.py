"""DO blocks and procedures that COMMIT or ROLLBACK inside them.

A batched backfill (`DO $$ ... LOOP UPDATE ... ; COMMIT; END LOOP $$`, or `CALL
backfill()` of such a procedure) is what the gate recommends instead of one big UPDATE,
and PostgreSQL refuses it inside a transaction block ("invalid transaction
termination"). So, like CREATE INDEX CONCURRENTLY, such a statement makes its script run
outside the wrapping transaction (analyze.py), with the same advisory (mixed.py).

A body is read with PL/pgSQL's own parser (pglast); another language's body by its
words (`plpy.commit()`, `spi_commit`), comments left out; an SQL-language routine cannot
COMMIT. A CALL commits when the procedure it names does: one the migration creates, or
staging's (facts.py reads their bodies); an unknown one may.
"""

from __future__ import annotations

import re
from typing import Any

from pglast import ast
from pglast.parser import ParseError, parse_plpgsql_json

from dbrefresh.gate.schema import Knowledge, names

_WORDS = re.compile(r"\b(?:commit|rollback)\b", re.I)
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_PLPGSQL = ('"PLpgSQL_stmt_commit"', '"PLpgSQL_stmt_rollback"')


def body_commits(body: str, language: str = "plpgsql") -> bool:
    """Whether a DO block's or procedure's body ends transactions itself."""
    language = language.lower()
    if language == "sql":
        return False
    if language == "plpgsql":
        tag = "$gate$"
        while tag in body:
            tag = tag[:-1] + "_$"
        wrapped = f"CREATE PROCEDURE gate_body() LANGUAGE plpgsql AS {tag}{body}{tag}"
        try:
            parsed = parse_plpgsql_json(wrapped)
        except ParseError:  # PostgreSQL would refuse it too; judge it by its words
            pass
        else:
            return any(kind in parsed for kind in _PLPGSQL)
    return bool(_WORDS.search(_COMMENTS.sub(" ", body)))


def _option(options: Any, name: str) -> Any:
    for item in options or ():
        if isinstance(item, ast.DefElem) and item.defname == name:
            return item.arg
    return None


def _body(arg: Any) -> str:
    """The `AS` of a routine: a string, or (C functions) a list of strings."""
    if isinstance(arg, ast.String):
        return str(arg.sval)
    if isinstance(arg, tuple | list) and arg and isinstance(arg[0], ast.String):
        return str(arg[0].sval)
    return ""


def do_commits(node: ast.DoStmt) -> bool:
    language = _option(node.args, "language")
    lang = str(language.sval) if isinstance(language, ast.String) else "plpgsql"
    return body_commits(_body(_option(node.args, "as")), lang)


def procedure_commits(node: ast.CreateFunctionStmt) -> bool:
    """A CREATE PROCEDURE whose body COMMITs (`BEGIN ATOMIC` bodies cannot)."""
    if node.sql_body is not None:
        return False
    language = _option(node.options, "language")
    lang = str(language.sval) if isinstance(language, ast.String) else "sql"
    return body_commits(_body(_option(node.options, "as")), lang)


def learn_procedures(nodes: Any, known: Knowledge) -> None:
    """The procedures the migration creates, with whether each commits."""
    for node in nodes:
        if isinstance(node, ast.CreateFunctionStmt) and node.is_procedure:
            *schema, name = names(node.funcname)
            entry = (schema[-1] if schema else None, procedure_commits(node))
            known.procedures.setdefault(name.lower(), set()).add(entry)


def call_commits(node: ast.CallStmt, known: Knowledge) -> bool | None:
    """Whether the procedure called COMMITs; None when it is unknown (not created by the
    migration, and staging's catalog not read or without it), so it may."""
    called = names(node.funccall.funcname) if node.funccall is not None else ()
    if not called:
        return None
    schema = called[-2] if len(called) > 1 else None
    found = [
        commits
        for where, commits in known.procedures.get(called[-1].lower(), ())
        if schema is None or where in (None, schema)
    ]
    return any(found) if found else None
