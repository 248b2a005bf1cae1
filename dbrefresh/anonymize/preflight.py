"""Before anything changes: a sample of masked rows against each table's own rules.

A CHECK constraint or a domain refusing what a rule produces would otherwise surface
at the swap, after every chunk of the table was masked; here it takes a second and
nothing is written (rules.relsteps builds the statements, RelationStep.preflight).
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from dbrefresh.anonymize import notvalid
from dbrefresh.anonymize.refusal import raised_by, refused_by_table
from dbrefresh.anonymize.session import prepare_session
from dbrefresh.db import connect
from dbrefresh.errors import MaskingRefused, first_line
from dbrefresh.rules.checkfit import RULES_CHECK_SEED, Break, breaks, explain, relation_checks
from dbrefresh.rules.plan import Plan, RelationStep
from dbrefresh.strategies.keyed import derive_key

_COPY = re.compile(r'"_dbr_(check|legacy)_\d+"')
_SET_KEY = "SELECT set_config('dbrefresh.key', %s, true)"


def preflight(dsn: str, key: str, plan: Plan, steps: list[RelationStep]) -> None:
    """Each step's sample of masked rows against its table's own rules (preflight),
    rolled back; MaskingRefused naming every refusal, before anything is changed."""
    refused: dict[str, str] = {}
    rules_own: set[str] = set()
    once: set[str] = set()  # the rule-table-wide refusals run (see _sample)
    steps = [s for s in steps if s.preflight]
    with connect(dsn) as conn:
        prepare_session(conn, key, plan.rules_digest)
        not_valid = notvalid.read(conn, [s.relation for s in steps])
        conn.commit()
        for step in steps:
            try:
                with conn.transaction():
                    held = [c for c in not_valid if c.relation == step.relation]
                    _sample(conn, step, held, once)
                    raise psycopg.Rollback()
            except psycopg.Error as exc:
                if not refused_by_table(exc):
                    raise
                # name the table, not its temporary copy (escaped: a name may hold "\")
                if _rules_own(exc):  # fold_case, default: fail: their message says it all
                    rules_own.add(step.relation)
                    refused[step.relation] = first_line(exc)
                    continue
                table = f'"{step.relation}"'.replace("\\", "\\\\")
                said = _COPY.sub(table, first_line(exc)) + raised_by(dsn, step.relation, exc)
                refused[step.relation] = (_named_checks(conn, step, exc) or said) + _hint(step, exc)
            else:
                if found := _under_check_key(conn, step):
                    refused[step.relation] = found
    if refused:
        details = "; ".join(f"{rel}: {err}" for rel, err in sorted(refused.items()))
        if rules_own >= refused.keys():
            raise MaskingRefused(
                f"{len(refused)} relation(s) refused by the rules on this data, nothing was "
                f"changed: {details}"
            )
        raise MaskingRefused(
            f"{len(refused)} relation(s) failed a sample of masked rows, nothing "
            f"was changed: {details}. The table refuses the values these rules produce "
            "(a CHECK constraint, a domain's, or a function one calls), or PostgreSQL cannot "
            "run a rule's SQL "
            "(an `sql` expression, a delete_where): change the rule"
        )


def _under_check_key(conn: psycopg.Connection[Any], step: RelationStep) -> str:
    """What `rules check --dsn` says of the step: the validated CHECK constraints its
    sample breaks masked with rules check's key (RULES_CHECK_SEED); '' when none. This
    seed's values may pass the sample and break a constraint further on: a city name too
    long for `char_length(city) <= 21`, drawn for 1 of 1,000 rows under rules check's
    key and for none of the sample under the run's, came up at the swap instead."""
    if step.sample_select is None or not step.masked:
        return ""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(_SET_KEY, (derive_key(RULES_CHECK_SEED),))
            checks = relation_checks(conn, step.relation, [m.column for m in step.masked])
            found = breaks(conn, step.sample_select, checks) if checks else []
    except psycopg.Error:  # this seed's sample passed: leave the rest to the swap
        return ""
    if not found:
        return ""
    origins = {m.column: m.origin for m in step.masked}
    strategies = {m.column: m.strategy for m in step.masked}
    return "; ".join(explain(step.relation, found, origins, strategies)) + (
        " (masked with `rules check`'s key, as `rules check --dsn` does: this seed's values "
        "passed the sample, but the rule produces values the constraint refuses)"
    )


def _rules_own(exc: psycopg.Error) -> bool:
    """A refusal the rules raised themselves (dbrefresh.refuse: email's fold_case on
    case variants, a switch's default: fail), not the table's nor PostgreSQL's."""
    return "function dbrefresh.refuse(text)" in (exc.diag.context or "")


def _named_checks(conn: psycopg.Connection[Any], step: RelationStep, exc: psycopg.Error) -> str:
    """Every validated CHECK constraint (the table's or a domain's) the sample breaks,
    each with the masked columns it reads, their rules' file:line and strategies, and
    its definition: PostgreSQL names the first constraint a row broke and no rule. ''
    when the refusal is no validated check's (the caller says what PostgreSQL said)."""
    if not isinstance(exc, psycopg.errors.CheckViolation) or step.sample_select is None:
        return ""
    try:
        with conn.transaction():
            columns = [m.column for m in step.masked]
            found = breaks(conn, step.sample_select, relation_checks(conn, step.relation, columns))
    except psycopg.Error:
        return ""
    origins = {m.column: m.origin for m in step.masked}
    strategies = {m.column: m.strategy for m in step.masked}
    return "; ".join(explain(step.relation, found, origins, strategies))


def swap_check_hint(dsn: str, steps: list[RelationStep], exc: BaseException) -> str:
    """A CHECK constraint refusing a row past the preflight's sample, at the swap: the
    masked columns it reads with their rules' file:line, and its definition (PostgreSQL
    names the constraint alone). '' when it is no validated check of these rules'."""
    if not isinstance(exc, psycopg.errors.CheckViolation) or not exc.diag.constraint_name:
        return ""
    table = f"{exc.diag.schema_name}.{exc.diag.table_name}" if exc.diag.table_name else None
    try:
        with connect(dsn) as conn:
            for step in steps:
                columns = [m.column for m in step.masked]
                for check in relation_checks(conn, step.relation, columns):
                    if check.name == exc.diag.constraint_name and (
                        check.domain or table == step.relation
                    ):
                        origins = {m.column: m.origin for m in step.masked}
                        strategies = {m.column: m.strategy for m in step.masked}
                        said = explain(step.relation, [Break(check)], origins, strategies)
                        return f" ({said[0]}, in rows past the preflight's sample)"
    except psycopg.Error:
        return ""
    return ""


def _sample(
    conn: psycopg.Connection[Any],
    step: RelationStep,
    not_valid: list[notvalid.NotValid],
    once: set[str],
) -> None:
    """The step's preflight statements; with NOT VALID constraints set aside and held
    row by row instead (a row that broke one before masking is exempt from it). A rule
    table's own refusal (fold_case: one scan of every partition) runs in its first
    partition's preflight only, not once per partition; `once` holds those run."""
    held = notvalid.SampleCheck.prepare(conn, step.relation, not_valid) if not_valid else None
    for statement in step.preflight:
        if statement in step.table_wide:
            if statement in once:
                continue
            once.add(statement)
        conn.execute(statement)
        if held:
            held.also(conn, statement)
    if held:
        held.refuse_new_breaks(conn)


def _hint(step: RelationStep, exc: psycopg.Error) -> str:
    """A CHECK between two dates each shifted by its own value (ends >= starts) is the
    usual refusal, and date_shift's `by` is its cure."""
    shifted = [m.column for m in step.masked if m.strategy == "date_shift"]
    if not isinstance(exc, psycopg.errors.CheckViolation) or len(shifted) < 2:
        return ""
    return (
        f" (if it compares {', '.join(shifted)}: date_shift moves each date by its own "
        "value unless `by: <column>`, the row's key, keys them all alike)"
    )
