"""A refreshed staging copy: its leak check's evidence was removed on purpose.

`dbrefresh run` verifies the masked clone, then (finalize) empties the keyed hashes of
the originals and the key's fingerprint before the clone becomes staging: staging's
readers have no use for them. `verify` pointed at staging afterwards found no samples,
warned "0 sampled" blaming the rules' parameters, and passed (exit 0) even under a
wrong seed. Here such a database is recognised (refresh_info names a run, no leak
sample and no key fingerprint are left) so verify says what it is instead.
"""

from __future__ import annotations

from typing import Any

import psycopg

_REFRESHED = """
SELECT (SELECT run_id::text FROM dbrefresh.refresh_info ORDER BY refreshed_at DESC LIMIT 1)
 WHERE NOT EXISTS (SELECT 1 FROM dbrefresh.leak_hashes)
   AND NOT EXISTS (SELECT 1 FROM dbrefresh.masking_key)
"""


def refreshed_run(conn: psycopg.Connection[Any]) -> str | None:
    """The run that refreshed this database when its leak evidence is gone, else None."""
    present = conn.execute(
        "SELECT to_regclass('dbrefresh.refresh_info') IS NOT NULL "
        "AND to_regclass('dbrefresh.leak_hashes') IS NOT NULL "
        "AND to_regclass('dbrefresh.masking_key') IS NOT NULL"
    ).fetchone()
    if not (present and present[0]):
        return None
    row = conn.execute(_REFRESHED).fetchone()
    return str(row[0]) if row and row[0] is not None else None


def leaks_unchecked(run_id: str) -> str:
    """What verify says about a refreshed staging copy (exit 2 when nothing else fails)."""
    return (
        f"this database is a refreshed staging copy (run {run_id}): the refresh removed its "
        "leak check's evidence (the samples of original values and the key's fingerprint) "
        "before it became staging, so verify checked coverage, row counts and constraints "
        "only, not leaks nor the seed; the leak check ran on the clone during that run "
        "(see `dbrefresh status`); to check leaks again, verify a clone before the swap"
    )
