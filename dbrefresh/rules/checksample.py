"""`rules check --dsn`: the rules' masked values against the CHECK constraints.

The compile holds rules to the catalog, not to the values: `email` under `CHECK (email
LIKE '%@acme.com')` compiled, passed `rules check`, and the nightly anonymize exited 2
on its preflight. Here the same sample of masked rows is evaluated against each
validated CHECK constraint reading a masked column (rules/checkfit.py), in a
transaction rolled back, so a pull request adding such a rule fails its check instead.
Only tables with such a constraint pay anything; a role that may not install the masking
functions gets a warning instead.
"""

from __future__ import annotations

from typing import Any

import psycopg

from dbrefresh.catalog import Catalog
from dbrefresh.errors import first_line
from dbrefresh.findings import Finding, Location, Severity
from dbrefresh.rules.checkfit import (
    RULES_CHECK_SEED,
    breaks,
    checked_relations,
    masking_functions,
    relation_checks,
)
from dbrefresh.rules.model import RuleSet
from dbrefresh.rules.plan import Plan, RelationStep

HINT = (
    "mask it with a strategy keeping the values' form (email's domain, keep_prefix, "
    "digits, partial), or keep it"
)


def _constrained(conn: psycopg.Connection[Any], catalog: Catalog, plan: Plan) -> list[RelationStep]:
    """The plan's steps with a masked column a validated CHECK constraint reads."""
    steps = [s for s in plan.steps if s.sample_select and s.masked]
    asked = {
        s.relation: [m.column for m in s.masked] for s in steps if catalog.tables[s.relation].checks
    }
    reading = checked_relations(conn, asked)
    return [
        s
        for s in steps
        if s.relation in reading
        or any(catalog.tables[s.relation].columns[m.column].type.checked for m in s.masked)
    ]


def untested(
    rules: RuleSet, code: str, what: str, steps: list[RelationStep], refused: str
) -> Finding:
    """The warning for a test `rules check` could not run on these steps' tables: the
    role may not install the masking functions it evaluates."""
    names = ", ".join(sorted({s.relation for s in steps}))
    message = f"{what} {names}: the masking functions could not be installed ({refused})"
    return Finding(code, message, Severity.WARNING, Location(str(rules.files[0])))


def sample_findings(
    conn: psycopg.Connection[Any], rules: RuleSet, catalog: Catalog, plan: Plan
) -> list[Finding]:
    """An error per masked column whose sampled masked values break a CHECK constraint,
    located at its rule; nothing is written."""
    steps = _constrained(conn, catalog, plan)
    if not steps:
        return []
    out: list[Finding] = []
    with masking_functions(conn, RULES_CHECK_SEED) as refused:
        if refused:
            what = "masked values not tested against the CHECK constraints of"
            return [untested(rules, "checks-untested", what, steps, refused)]
        for step in steps:
            table_rule = rules.tables[step.rule_table]
            try:
                with conn.transaction():
                    columns = [m.column for m in step.masked]
                    checks = relation_checks(conn, step.relation, columns)
                    found = breaks(conn, step.sample_select or "", checks)
            except psycopg.Error as exc:  # an `sql` rule PostgreSQL cannot run, say
                origin = table_rule.origin
                out.append(
                    Finding(
                        "sample-refused",
                        f"a sample of masked rows of {step.relation} fails: {first_line(exc)}",
                        location=Location(origin.file, origin.line, step.rule_table),
                    )
                )
                continue
            strategies = {m.column: m.strategy for m in step.masked}
            for brk in found:
                for column in brk.check.columns:
                    rule = table_rule.columns.get(column)
                    origin = rule.origin if rule else table_rule.origin
                    where = Location(origin.file, origin.line, f"{step.rule_table}.{column}")
                    message = f"{strategies.get(column)}: {brk.what()}"
                    if step.relation != step.rule_table:
                        message += f" (partition {step.relation})"
                    out.append(Finding("check-constraint", message, location=where, hint=HINT))
    return out
