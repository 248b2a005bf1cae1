"""Which overloads of a function name a call can mean, by argument count.

PostgreSQL picks a function by name, schema (search_path) and argument types. The gate
knows the types of a call's arguments rarely (a literal, a column of a table it has
facts of, an expression of anything), so it matches by count only: an overload whose
input arguments (less those with a DEFAULT; a VARIADIC one takes any number from one up)
cannot take the call's count is never the one called. `public.lower(text, int)` then
does not compete with `lower(name)`; `public.lower(mytype)` still does (one argument
each), and such a call stays opaque for the trace to measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.enums.parsenodes import FunctionParameterMode

_INPUT = {
    FunctionParameterMode.FUNC_PARAM_IN,
    FunctionParameterMode.FUNC_PARAM_INOUT,
    FunctionParameterMode.FUNC_PARAM_VARIADIC,
    FunctionParameterMode.FUNC_PARAM_DEFAULT,  # no mode written: IN
}


@dataclass(frozen=True)
class Overload:
    """One function of a name: its schema, how many arguments it takes, whether it is
    built in (pg_catalog's or an extension's) rather than the application's."""

    schema: str
    least: int  # input arguments without a DEFAULT
    most: int | None  # None: VARIADIC, any number from `least`
    builtin: bool

    def accepts(self, count: int) -> bool:
        return self.least <= count and (self.most is None or count <= self.most)


def overload(schema: str, nargs: int, ndefaults: int, variadic: bool, builtin: bool) -> Overload:
    """From pg_proc: pronargs, pronargdefaults, provariadic <> 0."""
    return Overload(schema, nargs - ndefaults, None if variadic else nargs, builtin)


def created(node: Any, schema: str) -> Overload:
    """The function a CREATE FUNCTION statement defines (the application's own)."""
    params = [p for p in node.parameters or () if p.mode in _INPUT]
    variadic = any(p.mode == FunctionParameterMode.FUNC_PARAM_VARIADIC for p in params)
    defaults = sum(1 for p in params if p.defexpr is not None)
    return overload(schema, len(params), defaults, variadic, False)


def arg_count(call: ast.FuncCall) -> int:
    """Arguments as written (`count(*)` has none; named ones count like others)."""
    return 0 if call.agg_star else len(call.args or ())


def candidates(overloads: list[Overload], count: int | None) -> list[Overload]:
    """The overloads a call of `count` arguments may mean; all of them when the count
    is unknown or none takes it (the call would fail: leave it to the trace)."""
    if count is None:
        return overloads
    fitting = [o for o in overloads if o.accepts(count)]
    return fitting or overloads
