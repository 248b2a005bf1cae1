"""What a migration's SET statements do to its session: lock_timeout and search_path.

Both change how later statements are judged: a lock_timeout bounds how long a blocking
statement waits, and search_path decides which table an unqualified name means (staging
must resolve `invoices` the way the migration's session will). `SET`, `SET LOCAL`,
`RESET` and `SELECT set_config(name, value, is_local)` are understood alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.enums.parsenodes import VariableSetKind

from dbrefresh.gate.schema import names

_NUMBER = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:us|ms|s|min|h|d)?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Setting:
    """One SET of a setting: its value (None = back to the default) and its scope."""

    value: str | None
    is_local: bool


def _const(node: Any) -> str | None:
    val = getattr(node, "val", None)
    for attr in ("sval", "ival", "fval"):
        raw = getattr(val, attr, None)
        if raw is not None:
            return str(raw)
    return None


def _set_config(node: Any, name: str) -> Setting | None:
    """SELECT set_config('<name>', value, is_local)."""
    if not isinstance(node, ast.SelectStmt) or node.fromClause:
        return None
    targets = node.targetList or ()
    if len(targets) != 1:
        return None
    call = targets[0].val
    if not isinstance(call, ast.FuncCall) or names(call.funcname)[-1] != "set_config":
        return None
    args = call.args or ()
    if len(args) != 3 or (_const(args[0]) or "").lower() != name:
        return None
    is_local = isinstance(args[2], ast.A_Const) and getattr(args[2].val, "boolval", False)
    return Setting(_const(args[1]), bool(is_local))


def setting(node: Any, name: str) -> Setting | None:
    """How this statement sets `name`, or None when it does not touch it."""
    config = _set_config(node, name)
    if config is not None:
        return config
    if not isinstance(node, ast.VariableSetStmt):
        return None
    if node.kind == VariableSetKind.VAR_RESET_ALL:
        return Setting(None, False)
    if str(node.name).lower() != name:
        return None
    if node.kind != VariableSetKind.VAR_SET_VALUE:  # DEFAULT, RESET
        return Setting(None, bool(node.is_local))
    if name == "search_path":  # a list of identifiers: keep each one quoted
        parts = [_const(a) or "" for a in node.args or ()]
        return Setting(
            ", ".join('"' + p.replace('"', '""') + '"' for p in parts), bool(node.is_local)
        )
    return Setting(_const(node.args[0]) if node.args else None, bool(node.is_local))


def timeout_is_set(value: str | None) -> bool:
    """'2s', '500', '1min' set a timeout; '0', '0.0s', '0ms' and the default do not
    (0 disables the timeout in PostgreSQL)."""
    if value is None:
        return False
    match = _NUMBER.fullmatch(value)
    if match is None:
        return True  # not a plain number with a unit: assume it sets a timeout
    return float(match.group(1)) != 0
