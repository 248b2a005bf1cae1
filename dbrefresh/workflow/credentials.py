"""Production's credentials the copy brings, taken out before staging gets it.

A copy of the cluster carries more than data: every role's password hash (an md5 hash
logs in to production as it is; any hash can be cracked offline) and settings stored
per database or role, where PostgREST and Supabase keep the secret that signs their
API tokens (`ALTER DATABASE ... SET "app.settings.jwt_secret"`): with it, anyone who
reads staging's catalog can mint tokens production accepts. Both are cleared on the
temporary server, and the shared catalogs holding them are rewritten so the old rows
do not stay in their files.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from psycopg import sql

from dbrefresh.db import connection

# Words of a setting's name that say it holds a secret (app.settings.jwt_secret,
# pgrst.jwt_secret, app.stripe_api_key, myapp.db_password); "secret" and "password"
# count inside a word too (app.clientsecret).
_SECRET_WORDS = frozenset(
    {"secret", "password", "passwd", "pwd", "token", "key", "apikey", "credential", "credentials"}
)


def names_a_secret(setting: str) -> bool:
    """Whether a setting's or option's name says it holds a secret."""
    words = set(re.split(r"[._\-]+", setting.lower()))
    return (
        bool(words & _SECRET_WORDS) or "secret" in setting.lower() or "password" in setting.lower()
    )


_SETTINGS = """
SELECT d.datname, r.rolname, c.setting
  FROM pg_db_role_setting s
  LEFT JOIN pg_database d ON d.oid = s.setdatabase
  LEFT JOIN pg_roles r ON r.oid = s.setrole
  CROSS JOIN LATERAL unnest(s.setconfig) AS c(setting)
 ORDER BY 1, 2, 3
"""


def clear_other_passwords(admin_dsn: str, keep: Collection[str]) -> list[str]:
    """Clear the password of every role the config gives no staging password to.

    The copy brings production's password hashes: an md5 hash logs in to production as
    it is (md5 authentication needs only the hash), and any hash can be cracked
    offline. Roles under `roles:` and the role dbrefresh reaches staging as (target.dsn,
    when it logs in with a password) got staging's password already.
    The old catalog rows would stay in pg_authid's file: it is rewritten.
    """
    cleared: list[str] = []
    with connection(admin_dsn, autocommit=True) as conn:
        conn.execute("SET log_statement = 'none'")
        rows = conn.execute(
            "SELECT rolname FROM pg_authid WHERE rolpassword IS NOT NULL ORDER BY 1"
        ).fetchall()
        for (role,) in rows:
            if role not in keep:
                conn.execute(sql.SQL("ALTER ROLE {} PASSWORD NULL").format(sql.Identifier(role)))
                cleared.append(role)
        if cleared:
            conn.execute("VACUUM FULL pg_authid")
    return cleared


def reset_secret_settings(admin_dsn: str) -> list[str]:
    """RESET every database or role setting whose name says it holds a secret."""
    reset: list[str] = []
    with connection(admin_dsn, autocommit=True) as conn:
        conn.execute("SET log_statement = 'none'")
        for database, role, setting in conn.execute(_SETTINGS).fetchall():
            name = str(setting).partition("=")[0]
            if not names_a_secret(name):
                continue
            target = sql.SQL("ROLE {}").format(sql.Identifier(role)) if role else None
            where = sql.SQL("DATABASE {}").format(sql.Identifier(database)) if database else None
            if target is not None and where is not None:
                statement = sql.SQL("ALTER {} IN {} RESET {}")
                conn.execute(statement.format(target, where, sql.Identifier(name)))
            else:
                statement = sql.SQL("ALTER {} RESET {}")
                conn.execute(statement.format(target or where, sql.Identifier(name)))
            reset.append(f"{name} ({', '.join(x for x in (database, role) if x)})")
        if reset:
            conn.execute("VACUUM FULL pg_db_role_setting")
    return reset
