"""Birth dates under names that say nothing (Baserow's field_1008, NocoDB's c_o5p6,
LimeSurvey's "123456X12X36"): judged by their sampled values, which name-only detection
kept whole. Conservative: a column must look like a population's birth dates on every
count (all past, no time of day, ages of 1 to 100 years spread over decades, days and
months spread) and like no event: not following the rows' order or primary key (orders
since 1990, created_at), not tied in order to another date of the row (valid_from and
valid_to), not named like an event."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.candidates import CANDIDATES
from dbrefresh.rules.fitting import choose, column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.strategies.base import Strategy

KIND = "birth_date"
DATE_BASES = frozenset({"date", "timestamp", "timestamptz"})
OLDEST = 125  # years: an older birth date is a placeholder
PLACEHOLDERS = 0.2  # share of a sample that may be placeholders of an unknown date
MIN_VALUES = 30  # fewer sampled values say nothing about a distribution
YEAR = 365.25
FUTURE = 10**9  # an infinite date: a sentinel, never a birth
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A column named like an event is judged by its name, not its values
_EVENTS = (
    "created updated modified changed deleted inserted timestamp ts start end begin "
    "from to until valid expires expiry expiration due paid issued order ordered "
    "shipped delivered hired hire joined registered signup login seen last published "
    "posted sent received closed opened effective period deadline scheduled booked "
    "booking appointment visit invoice payment purchase death died deceased release "
    "released publication publish built founded established manufactured produced "
    "recorded acquired purchased installed inspection maturity settled settlement trade "
    "transaction incorporated registration filed filing approved submitted completed "
    "finished started ended arrival departure checkin checkout premiere aired"
)
EVENT_WORDS = frozenset(_EVENTS.split())
MONOTONIC = 0.5  # |rank correlation| with the row order or key: an event's date
TIED = 0.8  # |rank correlation| with another date of the row: a pair of events


@dataclass
class Judged:
    """One candidate column's sampled dates, as days from today (negative: past)."""

    column: Column
    days: list[int | None]
    midnight: bool
    verdict: str | None = None  # the reason it looks like birth dates, else None


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return {w.lower() for w in re.split(r"[^A-Za-z]+", spaced) if w}


def _candidates(
    table: Table, proposals: Mapping[str, ColumnProposal], samples: Mapping[str, list[str]]
) -> list[Column]:
    """Kept columns of a date type, or of text whose sampled values are all ISO dates."""
    out = []
    for name, proposal in proposals.items():
        column = table.columns[name]
        if proposal.masked or proposal.kind is not None or column.generated:
            continue
        if column.type.is_array or name in table.partition_key or _words(name) & EVENT_WORDS:
            continue
        values = samples.get(name) or []
        is_dates = column.type.is_datetime and column.type.base in DATE_BASES
        is_text_dates = column.type.is_text and values and all(ISO_DATE.match(v) for v in values)
        if is_dates or is_text_dates:
            out.append(column)
    return out


def _day(column: Column) -> tuple[sql.Composable, sql.Composable]:
    """SQL for a value's day as days from today (text: as it is), and whether it has no
    time of day."""
    c = sql.Identifier(column.name)
    if column.type.is_text:  # parsed here: to_date() raises on '2020-02-30'
        return sql.SQL("{}::text").format(c), sql.SQL("true")
    utc = column.type.base == "timestamptz"
    local = sql.SQL("({} AT TIME ZONE 'UTC')").format(c) if utc else c
    day = sql.SQL(
        "CASE WHEN {c} IS NULL THEN NULL WHEN NOT isfinite({c}) THEN {future}"
        " ELSE {local}::date - current_date END"
    ).format(c=c, local=local, future=sql.Literal(FUTURE))
    if column.type.base == "date":
        return day, sql.SQL("true")
    # (a timestamptz at midnight in UTC, or in the session's zone)
    midnight = sql.SQL(
        "({c} IS NULL OR NOT isfinite({c}) OR {local}::time = '00:00' OR {c}::time = '00:00')"
    )
    return day, midnight.format(c=c, local=local)


def _read(
    conn: psycopg.Connection[Any], table: Table, columns: list[Column], rows: int
) -> tuple[list[float | None], list[float | None], dict[str, Judged], date]:
    """The sampled rows' physical order, primary key, each column's days, and today."""
    key = _numeric_key(table)
    days = [_day(c) for c in columns]
    place = (
        sql.SQL("NULL::float8")
        if table.partitioned
        else sql.SQL("(_dbr_place::text::point)[0] * 100000 + (_dbr_place::text::point)[1]")
    )
    pk = sql.SQL("{}::float8").format(sql.Identifier(key)) if key else sql.SQL("NULL::float8")
    query = sql.SQL("SELECT {place}, {pk}, {days}, current_date FROM {rows} AS _dbr_s").format(
        place=place,
        pk=pk,
        days=sql.SQL(", ").join(sql.SQL("{}, {}").format(d, m) for d, m in days),
        rows=spread_sample(table, rows),
    )
    found = sampled_rows(conn, query)
    today = found[0][-1] if found else date.today()
    judged = {
        c.name: Judged(
            c,
            [_days(row[2 + 2 * i], today) for row in found],
            all(row[3 + 2 * i] for row in found),
        )
        for i, c in enumerate(columns)
    }
    return [r[0] for r in found], [r[1] for r in found], judged, today


def _days(value: int | str | None, today: date) -> int | None:
    """Days from today: as read, or of an ISO date in text (None: no date)."""
    if not isinstance(value, str):
        return value
    try:
        return (date.fromisoformat(value) - today).days if ISO_DATE.match(value) else None
    except ValueError:
        return None


def _numeric_key(table: Table) -> str | None:
    for key in table.unique_keys:
        if key.primary and len(key.columns) == 1:
            column = table.columns.get(key.columns[0])
            if column is not None and column.type.is_numeric:
                return column.name
    return None


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def rank_correlation(xs: Sequence[float | None], ys: Sequence[float | None]) -> float:
    """Spearman's rank correlation over the rows where both are known (0: too few)."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if x is not None and y is not None]
    if len(pairs) < MIN_VALUES:
        return 0.0
    rx, ry = _ranks([p[0] for p in pairs]), _ranks([p[1] for p in pairs])
    n = len(pairs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else 0.0


def birth_like(days: Sequence[int | None], midnight: bool, today: date) -> str | None:
    """Why a sample of days (from today) looks like a population's birth dates, or None."""
    known = sorted(d for d in days if d is not None)
    n = len(known)
    if n < MIN_VALUES or not midnight or known[-1] > 0:
        return None  # too few, a time of day, or a date to come (9999-12-31)
    ages = [-d / YEAR for d in known]  # oldest first
    if ages[0] > OLDEST or sum(1 <= a <= 100 for a in ages) < 0.9 * n:
        return None
    if sum(a < 1 for a in ages) > 0.05 * n:
        return None  # dense in the last year: events
    young, median, old = ages[int(0.9 * (n - 1))], ages[n // 2], ages[int(0.1 * (n - 1))]
    if old - young < 10 or not 10 <= median <= 90:
        return None  # not spread over decades
    if len(set(known)) < 0.6 * n:
        return None  # many rows a day: events
    try:
        dates = [date.fromordinal(today.toordinal() + d) for d in known]
    except (ValueError, OverflowError):
        return None
    day_share = max(_counts(d.day for d in dates)) / n
    month_share = max(_counts(d.month for d in dates)) / n
    if day_share > 0.2 or month_share > 0.3:
        return None  # the first of a month, a season: billing or event dates
    return (
        f"its {n} sampled values look like birth dates (all past, no time of day, ages "
        f"{round(ages[-1])} to {round(ages[0])}, median {round(median)}, days and months "
        "spread, unrelated to the rows' order)"
    )


def without_placeholders(days: list[int | None]) -> list[int | None]:
    """The days with a few repeated impossible ones cleared ('1900-01-01' or '9999-12-31'
    for an unknown date, at most PLACEHOLDERS of the values): they hide no one."""
    counts: dict[int, int] = {}
    for d in days:
        if d is not None:
            counts[d] = counts.get(d, 0) + 1
    odd = {d for d, k in counts.items() if k > 1 and (d > 0 or d < -OLDEST * YEAR)}
    if sum(counts[d] for d in odd) > PLACEHOLDERS * sum(counts.values()):
        return days
    return [None if d in odd else d for d in days]


def _counts(values: Any) -> list[int]:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return list(counts.values())


def _ordered(xs: Sequence[int | None], ys: Sequence[int | None]) -> bool:
    """One date never after the other in the rows holding both (valid_from, valid_to)."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if x is not None and y is not None]
    return bool(pairs) and (all(x <= y for x, y in pairs) or all(x >= y for x, y in pairs))


def propose_birth_dates(
    conn: psycopg.Connection[Any],
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, list[str]],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
    keys: set[str],
) -> None:
    """Kept columns whose sampled values look like birth dates get the rule a column
    named birth_date gets, with a REVIEW note saying it was judged by its values."""
    columns = [c for c in _candidates(table, proposals, samples) if c.name not in keys]
    if not columns:
        return
    others = [
        c
        for c in table.columns.values()
        if c not in columns and c.type.is_datetime and c.type.base in DATE_BASES
    ]
    try:
        place, pk, judged, today = _read(conn, table, columns + others, rows)
    except psycopg.Error:  # a timeout, a year 0 in text: judged by names alone
        return
    for j in judged.values():
        j.days = without_placeholders(j.days)
        j.verdict = birth_like(j.days, j.midnight, today)
    for name in (c.name for c in columns):
        j = judged[name]
        if j.verdict is None or _event_like(j, place, pk, judged):
            continue
        proposal = birth_date_proposal(table, j.column, strategies)
        if proposal is not None:
            proposal.why.insert(0, f"REVIEW: {j.verdict}: judged by its values, not its name")
            proposals[name] = proposal


def _event_like(
    j: Judged,
    place: Sequence[float | None],
    pk: Sequence[float | None],
    judged: Mapping[str, Judged],
) -> bool:
    """Dates following the rows' order or key, or tied to another date of the row."""
    as_floats: list[float | None] = [None if d is None else float(d) for d in j.days]
    if abs(rank_correlation(as_floats, place)) >= MONOTONIC:
        return True
    if abs(rank_correlation(as_floats, pk)) >= MONOTONIC:
        return True
    for other in judged.values():
        if other is j:
            continue
        theirs: list[float | None] = [None if d is None else float(d) for d in other.days]
        if abs(rank_correlation(as_floats, theirs)) >= TIED and (
            other.verdict is None or _ordered(j.days, other.days)
        ):
            return True
    return False


def birth_date_proposal(
    table: Table, column: Column, strategies: Mapping[str, Strategy[Any]]
) -> ColumnProposal | None:
    """The rule propose_column gives a column named birth_date of this type (ISO dates
    in text: date_shift with `text`), or None when none fits."""
    unique = column.name in table.unique_columns()
    ctx = column_context(table, column, unique=unique)
    if column.type.is_text:
        shift = {**dict(CANDIDATES[KIND][0][1]), "text": True}
        if unique or not fits(strategies["date_shift"], shift, ctx):
            return None
        why = ["its sampled values are ISO dates kept as text: shifted"]
        return ColumnProposal(column.name, "date_shift", shift, kind=KIND, why=why)
    chosen = choose(KIND, ctx, strategies)
    if chosen is None or chosen[0] not in {n for n, _ in CANDIDATES[KIND]}:
        return None
    return ColumnProposal(column.name, chosen[0], dict(chosen[1]), unique=unique, kind=KIND, why=[])
