"""Service accounts' logins: the application's machines, not people, in `rules init`.

Zitadel's machine users (projections.users14 rows of `type` 2) log in as
'zitadel-admin-sa', the service account its setup creates for Terraform; hashed to
'u485f...' like every person's username, the account no longer existed by that name on
staging. Such logins have shapes no person's has: 'service-account-<client>'
(Keycloak), 'svc-backup', 'deploy-bot', 'renovate[bot]', 'system:serviceaccount:ns:x'
(Kubernetes), and a built-in word with an '-sa' suffix ('zitadel-admin-sa'; a bare
'-sa' may be a surname, Sá, so it needs the built-in word; nor is 'theo.bot' a bot:
Bot is a Dutch surname, so '.bot' does not count). builtin_accounts.py keeps
them in user-name columns as it keeps 'admin'. A JSON path masked like a login keeps
no value by name (no strategy there keeps a list): when service accounts are found at
it, a REVIEW note names them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.rules.user_ids import LOGIN_RULE

_BUILT_IN = "admin|administrator|root|system|sysadmin|superuser"
# Python's and PostgreSQL's regular expressions alike (matched case-insensitively)
PATTERN = (
    r"^(service[-_.]?account|svc)[-_.:]|^bot[-_:]|[-_.]svc$|[-_]bot$|\[bot\]$"
    rf"|^system:serviceaccount:|(^|[-_.])({_BUILT_IN})[-_.]sa$"
)
_SHAPE = re.compile(PATTERN, re.IGNORECASE)
_PLAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*")  # a dotted path of plain keys
MAX_KEPT = 50  # service accounts a column's switch lists
MAX_NAMED = 5  # in a JSON path's note


def is_service_account(login: str) -> bool:
    """A login of a service account's shape ('zitadel-admin-sa', 'deploy-bot')."""
    return _SHAPE.search(login.strip()) is not None


def note_json_paths(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
) -> None:
    """A REVIEW note on each jsonb rule whose login paths hold service accounts."""
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        for column, proposal in sorted(columns.items()):
            if proposal.strategy != "jsonb" or not table.columns[column].type.is_json:
                continue
            paths = proposal.params.get("paths") or {}
            for path, rule in sorted(paths.items()):
                if rule != LOGIN_RULE or not _PLAIN.fullmatch(path):
                    continue
                query = sql.SQL(
                    "SELECT DISTINCT {v} FROM {only}{t} WHERE {v} ~* {p} ORDER BY 1 LIMIT {n}"
                ).format(
                    v=sql.SQL("{} #>> {}").format(
                        sql.Identifier(column), sql.Literal(path.split("."))
                    ),
                    only=sql.SQL("" if table.partitioned else "ONLY "),
                    t=sql.Identifier(table.schema, table.name),
                    p=sql.Literal(PATTERN),
                    n=sql.Literal(MAX_NAMED + 1),
                )
                try:
                    found = [str(v) for (v,) in sampled_rows(conn, query)]
                except psycopg.Error:  # no SELECT right, timeout
                    continue
                if found:
                    shown = ", ".join(repr(v) for v in found[:MAX_NAMED])
                    more = " and more" if len(found) > MAX_NAMED else ""
                    proposal.why.append(
                        f"REVIEW: {path} holds service accounts' logins ({shown}{more}), "
                        "masked like people's: no rule at a JSON path keeps values by name; "
                        "a `sql` rule can keep them (they are kept in the user-name columns)"
                    )
