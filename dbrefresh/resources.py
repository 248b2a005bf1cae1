"""Locate the files dbrefresh ships beside its code (sql/, rules/schema.json).

In a source checkout they live at the repository root (DESIGN.md layout); in a wheel
they are packaged under dbrefresh/_sql. Callers ask here instead of guessing paths.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def sql_dir() -> Path:
    """Directory holding the SQL installed into a clone."""
    for candidate in (_PACKAGE / "_sql", _REPO / "sql"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("dbrefresh's sql/ directory is missing from this installation")


def sql_file(name: str) -> str:
    """Text of one file under sql/."""
    return (sql_dir() / name).read_text(encoding="utf-8")
