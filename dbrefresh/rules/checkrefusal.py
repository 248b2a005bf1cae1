"""`rules check --dsn`: the refusals anonymize would raise, found before it runs.

Some refusals are properties of the data, not of the rules: email's `fold_case` on a
column unique case-sensitively that holds 'Ann@x.de' and 'ann@x.de', a `switch` with
`default: fail` meeting a key no case lists. Their SQL (MaskedColumn.refusal) ran only
in anonymize's preflight, so `rules check --dsn` passed rules the nightly then refused
(exit 2). Here each refusal expression is evaluated on the table, read-only, in a
transaction rolled back, and reported at its rule's file:line.
"""

from __future__ import annotations

from typing import Any

import psycopg

from dbrefresh.errors import first_line
from dbrefresh.findings import Finding, Location
from dbrefresh.rules.checkfit import RULES_CHECK_SEED, masking_functions
from dbrefresh.rules.checksample import untested
from dbrefresh.rules.model import RuleSet
from dbrefresh.rules.plan import MaskedColumn, Plan, RelationStep
from dbrefresh.rules.relsteps import quote_table


def refusal_findings(conn: psycopg.Connection[Any], rules: RuleSet, plan: Plan) -> list[Finding]:
    """An error per masked column whose rule anonymize would refuse on this data;
    nothing is written."""
    steps = [s for s in plan.steps if any(m.refusal or m.table_refusal for m in s.masked)]
    if not steps:
        return []
    out: list[Finding] = []
    with masking_functions(conn, RULES_CHECK_SEED) as refused:
        if refused:
            what = "the rules' refusals (fold_case, switch's default: fail) not evaluated on"
            return [untested(rules, "refusals-untested", what, steps, refused)]
        once: set[tuple[str, str]] = set()  # a rule table's own refusal: once, not per partition
        for step in steps:
            for masked in step.masked:
                if masked.refusal is not None:
                    out += _refused(conn, rules, step, masked, f"FROM ONLY {rel(step)}")
                wide = (step.rule_table, masked.column)
                if masked.table_refusal is not None and wide not in once:
                    once.add(wide)
                    out += _refused(conn, rules, step, masked, "", masked.table_refusal)
    return out


def rel(step: RelationStep) -> str:
    return quote_table(step.relation)


def _refused(
    conn: psycopg.Connection[Any],
    rules: RuleSet,
    step: RelationStep,
    masked: MaskedColumn,
    source: str,
    refusal: str | None = None,
) -> list[Finding]:
    """The rule's refusal over `source` (a row refusal over the relation's rows; a
    table refusal, reading no row, over none), as a finding at the rule."""
    table_rule = rules.tables[step.rule_table]
    rule = table_rule.columns.get(masked.column)
    origin = rule.origin if rule else table_rule.origin
    where = Location(origin.file, origin.line, f"{step.rule_table}.{masked.column}")
    partition = ""
    if source and step.relation != step.rule_table:
        partition = f" (partition {step.relation})"
    try:
        with conn.transaction():
            row = conn.execute(
                f"SELECT _dbr_r.m FROM (SELECT {refusal or masked.refusal} AS m {source}) "
                "AS _dbr_r WHERE _dbr_r.m IS NOT NULL LIMIT 1"
            ).fetchone()
    except psycopg.Error as exc:
        message = f"{masked.strategy}: the rule's refusal check fails: {first_line(exc)}"
        return [Finding("refusal-failed", message + partition, location=where)]
    if row is None:
        return []
    message = f"{masked.strategy}: anonymize would refuse this rule: {row[0]}{partition}"
    return [Finding("refused-by-data", message, location=where)]
