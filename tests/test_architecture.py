"""Rules of the codebase that import-linter cannot express."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dbrefresh"
CONNECT = re.compile(r"\bpsycopg\.(?:Async)?Connection\.connect\(|\bpsycopg\.connect\(")


def test_only_the_db_module_opens_connections() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "db.py" and CONNECT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_module_past_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}
