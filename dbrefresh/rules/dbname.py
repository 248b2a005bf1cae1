"""Rules written for one database, given another's DSN.

`dbrefresh run` applies each rules file to the database its `database:` key names;
standalone `anonymize`, `verify`, `plan` and `rules check --dsn` used to apply it to
whatever database the DSN named, so rules for `shop` masked (or passed) `billing` as
far as the two schemas agreed. A mismatch is refused before anything is read or
written; a file without the key fits any database.
"""

from __future__ import annotations

from dbrefresh.findings import Finding, Location
from dbrefresh.rules.model import RuleSet


def other_database(rules: RuleSet, database: str) -> list[Finding]:
    """An error when the rules' `database:` is not the connected database."""
    if rules.database is None or rules.database == database:
        return []
    origin = rules.database_origin
    return [
        Finding(
            "database-mismatch",
            f"these rules are for database {rules.database!r}, but the DSN connects to "
            f"{database!r}",
            location=Location(
                origin.file if origin else None, origin.line if origin else None, "database"
            ),
            # a clone under another name (`rules init` on production, masking `stg`)
            hint=(
                f"connect to {rules.database!r}, or use the rules written for {database!r}; "
                f"to use this file on a copy of {rules.database!r} named {database!r}, set "
                f"`database: {database}` in it or remove the key (a file without one fits "
                "any database)"
            ),
        )
    ]
