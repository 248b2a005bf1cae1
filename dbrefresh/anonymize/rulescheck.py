"""verify checks the rules it is given: on a clone masked with other rules it would
check columns that were never masked (`email: keep` masked, `email: email` verified:
"0 sampled, 0 survivors", exit 0, every email there). Each relation anonymize rewrote
carries the digest of its rule files (dbrefresh.masked_relations); verify refuses
relations whose digest is not the given rules'.
"""

from __future__ import annotations

from typing import Any

import psycopg

from dbrefresh.errors import UsageError


def require_same_rules(conn: psycopg.Connection[Any], digest: str, database: str) -> None:
    """UsageError (exit 2) naming each relation masked with rules of another digest."""
    row = conn.execute("SELECT to_regclass('dbrefresh.masked_relations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return  # never masked: verify says so per relation
    other = conn.execute(
        "SELECT relation, rules_digest FROM dbrefresh.masked_relations "
        "WHERE rules_digest <> %s ORDER BY 1",
        (digest,),
    ).fetchall()
    if not other:
        return
    listed = ", ".join(f"{relation} (rules {str(d)[:12]})" for relation, d in other[:20])
    more = f" and {len(other) - 20} more" if len(other) > 20 else ""
    raise UsageError(
        f"database {database!r}: {listed}{more} masked with other rules than those given "
        f"(rules {digest[:12]}): verify would check what these rules mask, not what was "
        "masked; pass the rule files anonymize used, unchanged (a changed file is other "
        "rules: mask a fresh clone with it)"
    )
