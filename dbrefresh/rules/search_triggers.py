"""`rules init`: a full-text vector a trigger fills, proposed `derived` from its trigger.

Rails' pg_search and Django's SearchVectorField keep `search_vector tsvector` filled by
a BEFORE INSERT OR UPDATE trigger from first_name, last_name, email. Masking runs with
triggers off, so the vector was proposed `null` and staging's search found nothing. The
trigger says how the vector is built: PostgreSQL's own `tsvector_update_trigger(tsv,
'pg_catalog.english', title, body)` (to_tsvector of the columns joined by spaces, the
same vector), or a PL/pgSQL function assigning `NEW.search_vector := <expression>`
whose expression reads only NEW's columns through the `sql` allow-list. Such a vector
is proposed `derived` with that expression, `NEW.` taken off: it is recomputed from the
masked columns. A vector filled some other way keeps its `null` and a REVIEW note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.propose_keys import Proposals
from dbrefresh.rules.sampled import TEXT_SEARCH
from dbrefresh.strategies import sqlexpr

# Row-level (1) BEFORE (2) triggers on INSERT (4) or UPDATE (16), enabled, of tables
# with a tsvector column (pg_trigger.tgtype's bits, as trigger.h defines them)
TRIGGERS = """
SELECT format('%I.%I', n.nspname, c.relname) AS relation, t.tgname AS trigger,
       format('%I.%I', pn.nspname, p.proname) AS function, l.lanname AS language,
       p.prosrc AS source, t.tgargs AS args, t.tgnargs AS nargs
  FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_proc p ON p.oid = t.tgfoid
  JOIN pg_namespace pn ON pn.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
 WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'
   AND t.tgtype & 3 = 3 AND t.tgtype & 20 <> 0
   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
               AND NOT a.attisdropped AND a.atttypid = 'tsvector'::regtype)
 ORDER BY 1, 2
"""
BUILTIN = {"pg_catalog.tsvector_update_trigger", "pg_catalog.tsvector_update_trigger_column"}
IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
# `NEW.col :=` (or `=`) where a statement starts
ASSIGNMENT = re.compile(
    rf"(?:^|;|\bTHEN|\bELSE|\bBEGIN|\bLOOP)\s*NEW\s*\.\s*({IDENT})\s*:?=(?!=)", re.I
)
NEW_COLUMN = re.compile(rf"\bNEW\s*\.\s*({IDENT})", re.I)
COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Lifted:
    """How a trigger builds a column: the expression over the row, or why not."""

    trigger: str
    expression: str | None
    problem: str | None = None


def derive_search_vectors(
    conn: psycopg.Connection[Any], catalog: Catalog, proposals: Proposals
) -> None:
    """Propose `derived` for each trigger-filled tsvector column whose trigger's
    expression lifts; note the trigger where it does not."""
    for relation, column, lifted in _lifted(conn, catalog, proposals):
        table = catalog.tables[relation]
        if lifted.expression is not None and (problem := _unfit(table, column, lifted)) is None:
            read = ", ".join(sorted(set(sqlexpr.columns(_parse(lifted.expression)))))
            proposals[relation][column] = ColumnProposal(
                column,
                "derived",
                {"expression": lifted.expression},
                why=[
                    f"filled by trigger {lifted.trigger} from {read}: recomputed from their "
                    "masked values, as the trigger would (masking runs with triggers off)"
                ],
            )
            continue
        why = lifted.problem if lifted.expression is None else problem
        proposals[relation][column].why.append(
            f"REVIEW: trigger {lifted.trigger} fills it, but {why}: write a `derived` rule "
            "with its expression (docs/strategies.md)"
        )


def _lifted(
    conn: psycopg.Connection[Any], catalog: Catalog, proposals: Proposals
) -> Iterator[tuple[str, str, Lifted]]:
    """(table, tsvector column, how its trigger builds it) for the proposed tables."""
    found: dict[tuple[str, str], list[Lifted]] = {}
    with conn.cursor() as cur:
        for relation, trigger, function, language, source, args, nargs in cur.execute(TRIGGERS):
            table = catalog.tables.get(relation)
            if table is None or relation not in proposals:
                continue
            if function in BUILTIN:
                texts = [a.decode() for a in bytes(args).split(b"\0")[:nargs]]
                built = _builtin(trigger, function, texts)
            elif language == "plpgsql":
                built = dict(_assignments(trigger, source))
            else:
                continue
            for column, lifted in built.items():
                info = table.columns.get(column)
                if info is not None and info.type.base == TEXT_SEARCH and not info.generated:
                    found.setdefault((relation, column), []).append(lifted)
    for (relation, column), lifts in found.items():
        if column not in proposals[relation]:
            continue
        if len({x.expression for x in lifts}) > 1 or any(x.expression is None for x in lifts):
            names = ", ".join(x.trigger for x in lifts)
            problems = [x.problem for x in lifts if x.problem] or ["they build it differently"]
            yield relation, column, Lifted(names, None, problems[0])
            continue
        yield relation, column, lifts[0]


def _builtin(trigger: str, function: str, args: list[str]) -> dict[str, Lifted]:
    """tsvector_update_trigger(column, config, text columns...): to_tsvector of the
    columns joined by spaces (NULLs skipped), the vector it builds; the _column variant
    names a regconfig column instead of a configuration."""
    if len(args) < 3:
        return {}
    column, config, texts = args[0], args[1], args[2:]
    if function.endswith("_column"):
        source = f"CAST({_ident(config)} AS regconfig)"
    else:
        source = "'" + config.replace("'", "''") + "'"
    joined = ", ".join(_ident(t) for t in texts)
    expression = f"to_tsvector({source}, concat_ws(' ', {joined}))"
    return {column: _checked(trigger, expression)}


def _assignments(trigger: str, source: str) -> Iterator[tuple[str, Lifted]]:
    """Each column a PL/pgSQL trigger function assigns, with how (one expression for
    every assignment of the column, or none)."""
    text = COMMENTS.sub(" ", source)
    by_column: dict[str, set[str]] = {}
    for match in ASSIGNMENT.finditer(text):
        end = _statement_end(text, match.end())
        column = _name(match.group(1))
        lifted = NEW_COLUMN.sub(lambda m: m.group(1), text[match.end() : end]).strip()
        by_column.setdefault(column, set()).add(" ".join(lifted.split()))
    for column, expressions in by_column.items():
        if len(expressions) > 1:
            yield column, Lifted(trigger, None, "it assigns it in several ways")
        else:
            yield column, _checked(trigger, expressions.pop())


def _checked(trigger: str, expression: str) -> Lifted:
    try:
        _parse(expression)
    except sqlexpr.RefusedExpression as refused:
        return Lifted(trigger, None, f"its expression cannot be lifted ({refused})")
    return Lifted(trigger, expression)


def _unfit(table: Table, column: str, lifted: Lifted) -> str | None:
    """Why the lifted expression cannot be a derived rule of this table (or None)."""
    assert lifted.expression is not None
    for read in sqlexpr.columns(_parse(lifted.expression)):
        info = table.columns.get(read)
        if info is None:
            return f"its expression reads {read}, no column of {table.qualified}"
        if read == column or info.generated or info.type.base == TEXT_SEARCH:
            return f"its expression reads {read}, which is computed too"
    return None


def _parse(expression: str) -> Any:
    return sqlexpr.parse_expression(expression)


def _statement_end(text: str, start: int) -> int:
    """The index of the `;` ending the statement from `start` (outside quotes and
    parentheses), or the text's end."""
    depth, quote, i = 0, "", start
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == ";" and depth <= 0:
            return i
        i += 1
    return i


def _name(ident: str) -> str:
    """An identifier as PostgreSQL resolves it."""
    if ident.startswith('"'):
        return ident[1:-1].replace('""', '"')
    return ident.lower()


def _ident(name: str) -> str:
    """A column name as an expression writes it (quoted only when it must be)."""
    return name if PLAIN.match(name) else '"' + name.replace('"', '""') + '"'
