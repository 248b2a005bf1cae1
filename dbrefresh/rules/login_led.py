"""Kept text starting with its own person's masked login, for `own_names.py`.

Taiga's projects_project.slug 'timothy.velazquez1492-project-1' starts with the
owner's username (users_user.username, a login made of their name, hashed): the slug
was kept with no note, and gave the login and the name away beside the masked one. No
rule reads another table's row, so nothing can mask the prefix as the login is masked;
a column whose rows start with their own person's login (through the foreign key
own_names follows) gets a REVIEW note naming the login column. Counts only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from psycopg import sql

from dbrefresh.rules.builtin_accounts import BUILTIN

MIN_LOGIN = 4  # characters of a login that counts ('al-' starts too much)
_AFTER = re.compile(r"[-._/:@ ]")  # what ends a login inside a longer value


def columns(alias: str, logins: Sequence[str]) -> sql.Composable:
    """The login columns as text, each followed by ', ' (none: empty)."""
    return sql.SQL("").join(sql.SQL("{}::text, ").format(sql.Identifier(alias, c)) for c in logins)


def starts_with(value: str, logins: Sequence[object]) -> bool:
    """The value starts with one of the logins, then a separator ('-project-1')."""
    text = value.strip()
    for login in logins:
        own = str(login or "").strip()
        if len(own) < MIN_LOGIN or not text.startswith(own) or text == own:
            continue
        if own.lower() in BUILTIN:  # 'admin-dashboard-3': the application's account, kept
            continue
        if _AFTER.match(text, len(own)):
            return True
    return False


def note(logins: Sequence[str], via: str | None, led: int, sampled: int) -> str:
    """The REVIEW note for a kept column of values led by their person's login."""
    through = f" (through {via})" if via else ""
    return (
        f"REVIEW: {led} of {sampled} sampled values start with their own person's login"
        f"{through}, {', '.join(logins)}, which is masked: kept, they give the login (and "
        "the name in it) away; mask them (`{hash, prefix: ...}` keeps a slug's shape)"
    )
