"""The environment PostgreSQL binaries and servers start with: the least they need.

A server keeps the environment it was started with for its whole life, readable in
/proc/PID/environ by its OS user, so by any of its superusers (pg_read_binary_file).
Started with dbrefresh's own environment, staging held production's password
(`source.dsn: "... password=${PROD_PW}"` with PROD_PW bound by Jenkins) and every
other secret of the job. So binaries get only what configures them: PATH, HOME,
locale, TZ and the PG* variables, never PGPASSWORD or PGPASSFILE; a client that
needs a password (pg_basebackup) is handed it for itself alone.
"""

from __future__ import annotations

from collections.abc import Mapping

KEPT = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR"})
SECRET_PG = frozenset({"PGPASSWORD", "PGPASSFILE"})


def minimal(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of `environ` a PostgreSQL binary may see (see above)."""
    return {
        name: value
        for name, value in environ.items()
        if name in KEPT
        or name.startswith("LC_")
        or (name.startswith("PG") and name not in SECRET_PG)
    }


def client_password(environ: Mapping[str, str], password: str | None) -> dict[str, str]:
    """What a client binary gets on top of `minimal` to log in: the DSN's password, else
    the caller's own PGPASSWORD or PGPASSFILE (as libpq would have found them)."""
    if password is not None:
        return {"PGPASSWORD": password}
    return {name: environ[name] for name in SECRET_PG if name in environ}
