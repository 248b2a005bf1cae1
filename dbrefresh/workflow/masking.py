"""Steps 5 and 6 glue: which database each rule file covers, originals for the byte
search, the anonymization library calls, and the scrub that removes what masking
alone leaves behind (statistics, WAL from before masking, query texts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from psycopg import sql

from dbrefresh.db import connection, with_database
from dbrefresh.errors import UsageError
from dbrefresh.rules.load import load_rules
from dbrefresh.rules.model import RuleSet
from dbrefresh.strategies import switch
from dbrefresh.strategies.switch import SwitchParams
from dbrefresh.workflow import ruledbs
from dbrefresh.workflow.bytesearch import MAX_NEEDLE

SYSTEM_DATABASES = {"postgres"}
MIN_NEEDLE = 8  # shorter originals match too much by chance to prove anything
TEXT_TYPES = ("text", "character varying", "character", "citext")


def rules_by_database(files: Sequence[Path]) -> dict[str, list[Path]]:
    """Group rule files by the database they cover (`database:` key, else file stem)."""
    out: dict[str, list[Path]] = {}
    for path in files:
        rules = load_rules([path])
        out.setdefault(rules.database or path.stem, []).append(path)
    return out


def uncovered_databases(
    present: Sequence[str],
    covered: Collection[str],
    templates: Collection[str],
    holds_data: Callable[[str], bool],
) -> list[str]:
    """Databases of the clone no rule file covers and that hold something: all but
    postgres and templates without user tables or large objects (stock ones: nothing
    to mask in them, and staging needs them as they are)."""
    return [
        d
        for d in present
        if d not in covered
        and not ((d in SYSTEM_DATABASES or d in templates) and not holds_data(d))
    ]


def plan_databases(
    present: Sequence[str],
    covered: dict[str, list[Path]],
    policy: str,
    holds_data: Callable[[str], bool],
    templates: Collection[str] = (),
) -> tuple[list[str], list[str]]:
    """(databases to anonymize, databases to drop); UsageError when policy refuses."""
    absent = ruledbs.absent(covered, present, "the copy of production")
    if absent is not None:
        raise absent
    uncovered = uncovered_databases(present, covered, templates, holds_data)
    system = [d for d in uncovered if d in SYSTEM_DATABASES]
    if system:  # never dropped: every connection string names it
        raise UsageError(
            f"database(s) {', '.join(system)} hold tables or large objects but no rule "
            "file covers them"
        )
    if uncovered and policy == "refuse":
        names = [f"{d} (a template holding data)" if d in templates else d for d in uncovered]
        raise UsageError(
            f"database(s) {', '.join(names)} are covered by no rule file "
            "(add rules, or set rules.uncovered_databases: drop)"
        )
    return [d for d in present if d in covered], uncovered


# Strategies drawing fake values from dictionaries of real-looking words: their
# originals (common names, cities, streets) are legitimately on disk after masking,
# in the dictionaries and as fake values, so finding them proves nothing. The byte
# search samples the other masked columns (emails, phones, IBANs, free text, ...),
# whose originals are specific enough that any remnant (dead tuple, WAL, statistics)
# shows up.
DICTIONARY_STRATEGIES = frozenset(
    {
        "keep",
        "first_name",
        "last_name",
        "full_name",
        "city",
        "street",
        "postcode",
        "company",
        "choice",
        "shuffle",
    }
)


Sampled = tuple[str, str, sql.Composable]  # table, column, the rows to sample


def masked_columns(rules: RuleSet) -> list[Sampled]:
    """(qualified table, column, rows) sampled for the byte search (see above)."""
    out: list[Sampled] = []
    for table, rule in rules.tables.items():
        if rule.action != "mask":
            continue
        for column, r in rule.columns.items():
            if r.strategy == "switch":
                rows = _switch_rows(r.params, column)
                if rows is not None:
                    out.append((table, column, rows))
            elif r.strategy not in DICTIONARY_STRATEGIES:
                out.append((table, column, sql.SQL("true")))
    return out


def _switch_rows(params: SwitchParams, column: str) -> sql.Composable | None:
    """The rows of a switch column whose originals are worth sampling: those a case
    masks with a strategy other than the dictionary ones. The values it keeps are on
    disk by design, and as needles they would fill the search's hit limit before the
    files it has not read yet."""
    key = sql.SQL("{}::text").format(sql.Identifier(params.by or column))
    sampled = [k for k, case in params.cases.items() if case.strategy not in DICTIONARY_STRATEGIES]
    parts: list[sql.Composable] = [_keys_match(key, sampled)] if sampled else []
    if params.default.strategy not in DICTIONARY_STRATEGIES:
        others = _keys_match(key, list(params.cases))
        parts.append(sql.SQL("({k} IS NULL OR NOT ({o}))").format(k=key, o=others))
    return sql.SQL(" OR ").join(parts) if parts else None


def _keys_match(key: sql.Composable, keys: list[str]) -> sql.Composable:
    """The key is one of these case keys, exact or a pattern (`uid:*:ip`)."""
    exact, patterns = switch.ordered_keys(keys)
    parts = [sql.SQL("{} = ANY({})").format(key, sql.Literal([switch.exact_key(k) for k in exact]))]
    parts += [
        sql.SQL("{} LIKE {} ESCAPE {}").format(
            key, sql.Literal(switch.like_pattern(k)), sql.Literal(switch.LIKE_ESCAPE)
        )
        for k in patterns
    ]
    return sql.SQL("({})").format(sql.SQL(" OR ").join(parts))


def sample_originals(dsn: str, rules: RuleSet, total: int) -> dict[str, list[bytes]]:
    """Up to `total` original text values of masked columns, keyed 'table.column'.

    A long value is sampled by its first MAX_NEEDLE bytes (cut at a character): the
    byte search looks for no more (bytesearch.MAX_NEEDLE), and a document body of
    megabytes is not fetched whole.
    """
    columns = masked_columns(rules)
    if not columns:
        return {}
    per_column = max(1, math.ceil(total / len(columns)))
    out: dict[str, list[bytes]] = {}
    with connection(dsn, autocommit=True) as conn:
        for table, column, which in columns:
            schema, name = table.split(".", 1)
            row = conn.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
                (schema, name, column),
            ).fetchone()
            if not row or row[0] not in TEXT_TYPES:
                continue
            # no DISTINCT: it would read the whole column; duplicates are dropped here
            query = sql.SQL(
                "SELECT left({c}::text, %s) FROM {t} "
                "WHERE length({c}::text) >= %s AND ({rows}) LIMIT %s"
            ).format(c=sql.Identifier(column), t=sql.Identifier(schema, name), rows=which)
            rows = conn.execute(query, (MAX_NEEDLE, MIN_NEEDLE, per_column)).fetchall()
            values = list(dict.fromkeys(_prefix(r[0]) for r in rows))
            if values:
                out[f"{table}.{column}"] = values
    return out


def _prefix(value: str) -> bytes:
    """The value's first MAX_NEEDLE bytes, cut before a character that would not fit."""
    return value.encode()[:MAX_NEEDLE].decode(errors="ignore").encode()


# Relations whose rows the rules left exactly as they were (and their indexes): their
# planner statistics describe staging's data as well as production's.
_UNCHANGED = """
WITH kept AS (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname || '.' || c.relname = ANY(%(kept)s))
SELECT oid FROM kept UNION SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM kept)
"""


def scrub(
    admin_dsn: str, databases: Sequence[str], kept: Mapping[str, Sequence[str]] | None = None
) -> None:
    """Remove original values masking leaves outside the tables: planner statistics
    (histograms and MCVs hold real values), statistics counters and query texts, and
    WAL written before masking (wal_recycle=off: old segments are deleted, not reused).

    Statistics of the tables in `kept` ({database: ['schema.table']}: tables the rules
    leave untouched) stay: their data is production's, unchanged, and finalize then
    analyzes only the tables left without statistics.
    """
    for db in databases:
        unchanged = {"kept": list((kept or {}).get(db, ()))}
        with connection(with_database(admin_dsn, db), autocommit=True) as conn:
            conn.execute(
                f"DELETE FROM pg_statistic WHERE starelid NOT IN ({_UNCHANGED})", unchanged
            )
            conn.execute(
                "DELETE FROM pg_statistic_ext_data WHERE stxoid NOT IN (SELECT oid FROM "
                f"pg_statistic_ext WHERE stxrelid IN ({_UNCHANGED}))",
                unchanged,
            )
            conn.execute("VACUUM FULL pg_statistic")
            conn.execute("VACUUM FULL pg_statistic_ext_data")
            conn.execute("SELECT pg_stat_reset()")
            has_pgss = conn.execute(
                "SELECT to_regproc('pg_stat_statements_reset') IS NOT NULL"
            ).fetchone()
            if has_pgss and has_pgss[0]:
                conn.execute("SELECT pg_stat_statements_reset()")
    with connection(admin_dsn, autocommit=True) as conn:
        for _ in range(2):
            conn.execute("SELECT pg_switch_wal()")
            conn.execute("CHECKPOINT")
