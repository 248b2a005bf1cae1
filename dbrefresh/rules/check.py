"""`rules check`: every finding for a set of rule files, with or without a live schema."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dbrefresh.catalog import read_catalog
from dbrefresh.db import connection
from dbrefresh.errors import RulesError
from dbrefresh.findings import Finding
from dbrefresh.rules.checkrefusal import refusal_findings
from dbrefresh.rules.checksample import sample_findings
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.load import load_rules


def check_rule_files(paths: Sequence[Path], dsn: str | None) -> list[Finding]:
    """Structural checks always; schema checks (drift, fit, FKs) when a DSN is given,
    a sample of masked values against the CHECK constraints reading them, and the
    rules' refusals evaluated on the data."""
    try:
        rules = load_rules(paths)
    except RulesError as exc:
        return exc.findings
    if dsn is None:
        return []
    with connection(dsn) as conn:
        catalog = read_catalog(conn)
        try:
            plan = compile_plan(rules, catalog)
        except RulesError as exc:
            return exc.findings
        # compiles: now the masked values against the CHECK constraints they must keep,
        # and the refusals anonymize would raise on this data (fold_case, default: fail)
        found = sample_findings(conn, rules, catalog, plan)
        return plan.warnings + found + refusal_findings(conn, rules, plan)
