"""Rules naming a database production does not have: refused before anything is copied.

A rules file's `database:` (else its file name) naming no database of production, a typo
like `shopx`, used to fail only at anonymize, after the whole snapshot, as `rules cover
database(s) absent from the clone: ['shopx']`. The run's preflight now asks production
for its databases and refuses (exit 2) naming the missing one and those it has; when
production cannot be asked that way (a role allowed replication connections only), the
same message comes from the clone at anonymize.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import psycopg

from dbrefresh.db import connection
from dbrefresh.errors import InfraError, UsageError

# Every database a copy brings: template0 aside (never masked nor covered), closed ones
# included (isolate opens them on the clone); whether each is a template.
_DATABASES = (
    "SELECT datname, datistemplate FROM pg_database WHERE datname <> 'template0' ORDER BY datname"
)


def absent(
    covered: Mapping[str, Sequence[Path]], present: Collection[str], where: str
) -> UsageError | None:
    """The error for rules naming databases `where` (production, its clone) lacks."""
    missing = sorted(set(covered) - set(present))
    if not missing:
        return None
    names = ", ".join(f"{d} ({', '.join(str(f) for f in covered[d])})" for d in missing)
    which = "database" if len(missing) == 1 else "databases"
    return UsageError(
        f"rules name {which} {names}, which {where} does not have (it has: "
        f"{', '.join(sorted(present))}); correct the rules file's `database:` key "
        "(without one, its file name is taken)"
    )


def require_on_source(
    source_dsn: str, covered: Mapping[str, Sequence[Path]]
) -> dict[str, bool] | None:
    """UsageError when the rules cover a database production does not have; else
    production's databases (each: whether it is a template), None when production
    cannot be asked (its clone is checked at anonymize anyway)."""
    try:
        with connection(source_dsn, autocommit=True) as conn:
            rows = conn.execute(_DATABASES).fetchall()
    except (InfraError, psycopg.Error):
        return None
    present = {str(name): bool(template) for name, template in rows}
    error = absent(covered, present, "production")
    if error is not None:
        raise error
    return present
