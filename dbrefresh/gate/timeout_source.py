"""The lock_timeout staging's session already has, and where it comes from.

`ALTER DATABASE app SET lock_timeout = '3s'`, `ALTER ROLE deployer [IN DATABASE app] SET
...`, `ALTER ROLE ALL SET ...` or postgresql.conf bound every lock wait of the migration
tool's session as much as a `SET lock_timeout` in the migration does: `missing-lock-timeout`
starts from it. The value is what a new session of the DSN's role gets (read without the
gate machine's PGOPTIONS), and pg_settings' `source` says which of those set it, so the
report can name it. 0 from any of them is no timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from dbrefresh.gate.session import timeout_is_set

_READ = """
SELECT current_setting('lock_timeout'), source, sourcefile, current_database(), session_user
FROM pg_settings WHERE name = 'lock_timeout'
"""

# pg_settings.source -> where the value was set, as an operator would change it
_WHERE = {
    "configuration file": "staging's server configuration{file}",
    "command line": "staging's server command line",
    "environment variable": "staging's server environment",
    "global": "ALTER ROLE ALL SET lock_timeout",
    "database": "ALTER DATABASE {db} SET lock_timeout",
    "user": "ALTER ROLE {role} SET lock_timeout",
    "database user": "ALTER ROLE {role} IN DATABASE {db} SET lock_timeout",
    "client": "the --dsn's options",
}


@dataclass(frozen=True)
class LockTimeout:
    """staging's lock_timeout for a new session, and where it was set ('' = default)."""

    value: str = "0"
    where: str = ""

    @property
    def bounds(self) -> bool:
        """Whether it bounds lock waits (0, PostgreSQL's default, does not)."""
        return timeout_is_set(self.value)

    def note(self) -> str | None:
        """The report's note: which lock_timeout the migration's session starts with."""
        if not self.where:
            return None
        if self.bounds:
            return (
                f"staging's sessions start with lock_timeout {self.value} ({self.where}): "
                "missing-lock-timeout judged with it"
            )
        return f"staging's lock_timeout is {self.value} ({self.where}): no timeout"


def read_lock_timeout(conn: psycopg.Connection[Any]) -> LockTimeout:
    """From a new session of the staging database opened as the gate's role."""
    row = conn.execute(_READ).fetchone()
    if row is None:  # pg_settings always lists it; be safe
        return LockTimeout()
    value, source, sourcefile, db, role = (str(v) if v is not None else "" for v in row)
    if source in ("default", ""):
        return LockTimeout(value)
    file = f" {sourcefile}" if sourcefile else ""
    where = _WHERE.get(source, f"source: {source}")
    return LockTimeout(value, where.format(file=file, db=db, role=role))
