"""`roles:` naming a role production does not have: refused before anything is copied.

Staging's roles are production's (the copy brings them). A typo under `roles:` (`apps:`
for `app`) failed only at finalize, after the snapshot, the masking and the verify;
the preflight now asks production for its roles and refuses it (file:line, exit 2).
When production cannot be asked (a role allowed replication connections only), the
finalize step still says it.
"""

from __future__ import annotations

import difflib

import psycopg

from dbrefresh.config import Config
from dbrefresh.db import connection
from dbrefresh.errors import ConfigError, InfraError

_ROLES = "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1"


def require_on_source(config: Config) -> None:
    """ConfigError naming the `roles:` entry production has no role for."""
    if not config.roles:
        return
    try:
        with connection(config.source.dsn, autocommit=True) as conn:
            rows = conn.execute(_ROLES).fetchall()
    except (InfraError, psycopg.Error):
        return
    present = {str(name) for name, _login in rows}
    logins = sorted(str(name) for name, login in rows if login)
    for name in config.roles:
        if name in present:
            continue
        close = difflib.get_close_matches(name, sorted(present), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"{config.where('roles', name)}roles.{name}: production has no role {name!r}, "
            f"so staging will not either; {hint}(its login roles: {', '.join(logins)}); "
            "nothing was copied"
        )
