"""Roles the config names that production lacks: refused before anything is copied.

Staging's roles are production's (the copy brings them). A typo under `roles:` (`apps:`
for `app`) failed only at finalize, after the snapshot, the masking and the verify; a
`local.superuser` production has no superuser of that name failed when the temporary
server (a copy of production's data) was first asked for, after the copy. The preflight
asks production for its roles and refuses both (file:line, exit 2). When production
cannot be asked (a role allowed replication connections only), the later steps still
say it.
"""

from __future__ import annotations

import difflib

import psycopg

from dbrefresh.config import Config
from dbrefresh.db import connection
from dbrefresh.errors import ConfigError, InfraError

_ROLES = "SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1"


def require_on_source(config: Config) -> None:
    """ConfigError naming the `roles:` entry or the `local.superuser` production has no
    role for."""
    if not config.roles and config.local is None:
        return
    try:
        with connection(config.source.dsn, autocommit=True) as conn:
            rows = conn.execute(_ROLES).fetchall()
    except (InfraError, psycopg.Error):
        return
    present = {str(name) for name, _login, _super in rows}
    logins = sorted(str(name) for name, login, _super in rows if login)
    if config.local is not None:
        superusers = sorted(str(name) for name, _login, is_super in rows if is_super)
        _require_superuser(config, config.local.superuser, superusers)
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


def _require_superuser(config: Config, name: str, superusers: list[str]) -> None:
    """The temporary server is a copy of production's data directory: it has production's
    roles, and the run connects to it as `local.superuser`."""
    if name in superusers:
        return
    close = difflib.get_close_matches(name, superusers, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ConfigError(
        f"{config.where('local', 'superuser')}local.superuser: production has no superuser "
        f"{name!r}, and the temporary server (a copy of production's data) has production's "
        f"roles; {hint}(its superusers: {', '.join(superusers) or 'none visible'}); "
        "nothing was copied"
    )
