"""The login dbrefresh reaches staging with, checked before production is touched.

The copy brings production's password hash for every role, the one target.dsn logs in
as included: kept, it makes staging refuse its own password after the swap (the health
check fails and the run rolls back) and lets production's password in meanwhile. So
finalize gives that role the password dbrefresh connects with: the DSN's, or what libpq
used (PGPASSWORD, a passfile), read from the preflight connection to staging. Without
any (peer or trust authentication) the role's hash is cleared like every other. The
password lives in memory only: never journaled, printed or logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from psycopg import conninfo

from dbrefresh.backends.base import Backend
from dbrefresh.config import Config
from dbrefresh.db import connection, dsn_user
from dbrefresh.errors import ConfigError, InfraError


@dataclass(frozen=True)
class TargetLogin:
    role: str
    password: str | None = field(default=None, repr=False)


def reach_target(config: Config, backend: Backend) -> TargetLogin:
    """Connect to a running staging with target.dsn (refused with exit 2 if that fails:
    the run would swap, fail its health check on that DSN and roll back) and return the
    role and password libpq used. With staging down (first refresh, or stopped), the
    DSN's password or PGPASSWORD."""
    dsn = config.target.dsn
    if not backend.target.is_serving():
        password = conninfo.conninfo_to_dict(dsn).get("password") or os.environ.get("PGPASSWORD")
        return TargetLogin(dsn_user(dsn), str(password) if password else None)
    try:
        with connection(dsn) as conn:
            return TargetLogin(conn.info.user, conn.info.password or None)
    except InfraError as exc:
        raise ConfigError(
            f"target.dsn: {exc}\nstaging's server is running: fix the DSN (host, port, "
            "user, password), or retry once it accepts connections"
        ) from None


def check_roles(login: TargetLogin, secrets: Mapping[str, str]) -> None:
    """A role both under `roles:` and in target.dsn must have one password: staging
    would otherwise refuse dbrefresh's own login after the swap."""
    configured = secrets.get(login.role)
    if configured is not None and login.password and configured != login.password:
        raise ConfigError(
            f"roles.{login.role}: target.dsn logs in as {login.role} with another password; "
            "staging would refuse it after the swap (give both the same password)"
        )


def passwords(login: TargetLogin, secrets: Mapping[str, str]) -> dict[str, str]:
    """Staging's passwords: the `roles:` secrets and target.dsn's role (when it has one)."""
    out = dict(secrets)
    if login.password and login.role not in out:
        out[login.role] = login.password
    return out
