"""`rules check`: every finding for a set of rule files, with or without a live schema."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dbrefresh.catalog import read_catalog
from dbrefresh.db import connection
from dbrefresh.errors import RulesError
from dbrefresh.findings import Finding
from dbrefresh.rules.compiler import check_rules
from dbrefresh.rules.load import load_rules


def check_rule_files(paths: Sequence[Path], dsn: str | None) -> list[Finding]:
    """Structural checks always; schema checks (drift, fit, FKs) when a DSN is given."""
    try:
        rules = load_rules(paths)
    except RulesError as exc:
        return exc.findings
    if dsn is None:
        return []
    with connection(dsn) as conn:
        catalog = read_catalog(conn)
    return check_rules(rules, catalog)
