"""UPDATE and DELETE judged by the rows they change (unbatched-data-change).

Before a trace, the planner's estimate decides, or, when EXPLAIN cannot plan the
statement on staging (it uses a column or an enum value an earlier statement of the
migration adds), the table's size. Both can be far off: `WHERE coalesce(state, '') = ''`
is estimated at 0.5 % of the rows whatever it matches, and a fix-up of 3 rows on a new
column weighs as the whole table. When the trace ran the statement, the rows it changed
(its command tag) decide instead, and the message gives the count.
"""

from __future__ import annotations

from dbrefresh.gate.model import Classified, Hit
from dbrefresh.gate.staging import Unplanned
from dbrefresh.gate.trace import StatementTrace
from dbrefresh.gate.weigh import Sizes, Thresholds, Weight

UNBATCHED = "unbatched-data-change"

# EXPLAIN's error -> what the statement uses that staging does not have yet
_CAUSES = {
    "42703": "a column staging lacks, presumably one an earlier statement of the migration adds",
    "22P02": "a value staging's type refuses, presumably an enum label an earlier "
    "statement of the migration adds",
}


def rows_weight(rows: float, thresholds: Thresholds) -> Weight:
    """The weight of changing this many rows in one transaction."""
    if rows >= thresholds.heavy_rows:
        return "heavy"
    return "warn" if rows >= thresholds.warn_rows else "light"


def measured_rows(measured: StatementTrace | None) -> int | None:
    """Rows the trace saw the statement change (None: not run, failed, not counted)."""
    if measured is None or measured.error is not None:
        return None
    return measured.rows


def judge_change(
    c: Classified,
    hit: Hit,
    weight: Weight,
    sizes: Sizes | None,
    measured: StatementTrace | None,
    thresholds: Thresholds,
    traced: bool,
) -> tuple[Hit, Weight, bool] | None:
    """(the hit as reported, its weight, whether the measurement decided it), or None
    when it is no finding. `weight` is the static one (EXPLAIN or the table's size);
    `traced`: a trace ran (not necessarily this statement)."""
    index = c.statement.index
    target = f"{c.kind} {', '.join(c.tables)}"
    rows = measured_rows(measured)
    if rows is not None:
        assert measured is not None
        new = rows_weight(rows, thresholds)
        if hit.needs_size and new == "light" and weight in ("light", "unknown"):
            return None  # neither the estimate nor the measurement saw many rows
        detail = f"{target}: changed {rows:,} row(s) in {measured.seconds:.2f}s when traced"
        if not hit.needs_size:
            detail = f"{target} without WHERE: changed {rows:,} row(s) in {measured.seconds:.2f}s"
        if sizes is not None and hit.needs_size:
            if index in sizes.explained:
                detail += f" (EXPLAIN estimated {sizes.explained[index]:,.0f}"
            else:
                detail += " (EXPLAIN could not plan it on staging, the table's size stood in"
            replaced = "; the measurement replaced the estimate" if new != weight else ""
            detail += replaced + ")"
        why = "" if new != "light" else "a change this small holds few row locks, briefly"
        return Hit(hit.rule, detail, hit.tables, hit.needs_size, why), new, True
    if hit.needs_size and weight in ("unknown", "light"):
        return None
    unplanned = sizes.unplanned.get(index) if sizes is not None else None
    if hit.needs_size and unplanned is not None:
        return Hit(hit.rule, _fallback(target, unplanned, traced), hit.tables, True), weight, False
    return hit, weight, False


def _fallback(target: str, unplanned: Unplanned, traced: bool) -> str:
    """Nothing says how many rows the WHERE selects: do not claim a number, say why, and
    how to get one."""
    cause = _CAUSES.get(unplanned.sqlstate)
    why = f"{unplanned.message}: it uses {cause}" if cause else unplanned.message
    how = (
        "the trace did not reach it"
        if traced
        else "--trace runs the migration on a copy of staging and judges it by the rows it changes"
    )
    return (
        f"{target}: EXPLAIN could not plan it on staging ({why}), so it is weighed by the "
        f"table's size ({how})"
    )
