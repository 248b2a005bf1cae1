"""`name` in a table of clients whose sampled names are programs': kept.

Zulip's zerver_client ('website', 'ZulipMobile', 'ZulipPython') is a table of
clients by its name, so `name` was a person's; its values, single words shaped like
logins, then made it a hashed user name, and every client lookup by name failed.
A CRM's clients (people, companies) keep their name rule (client_tables.py).
Akkoma's `apps.client_name` ('Tusky', 'Elk', 'Ivory': RFC 7591's name of an OAuth
client) got `full_name` by its name in a table with no client word: `client_name` in a
table its name says holds software, and not about people, is kept too.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.rules import client_tables, pii

NAME_KINDS = frozenset({"full_name", "first_name", "last_name"})
# Names of a client's own name in a table of clients (RFC 7591's client_name)
_NAMES = frozenset({"name", "client_name", "display_name", "title"})


def overrule(
    table: str, column: str, by_name: pii.NameMatch, values: Sequence[str] | None
) -> tuple[None, list[str]] | None:
    """`keep`, with a REVIEW note, for the name of software clients, else None."""
    table_name = pii.normalize(table.rsplit(".", 1)[-1])
    if (
        by_name.kind in NAME_KINDS
        and pii.normalize(column) == "client_name"
        and client_tables.names_software(table_name)
        and not pii.about_people(table_name)
    ):
        return None, [
            f"REVIEW: {by_name.reason}, but it names an OAuth client in a table of "
            "applications: kept"
        ]
    if (
        by_name.kind not in NAME_KINDS
        or pii.normalize(column) not in _NAMES
        or not pii.clients_only(table_name)
    ):
        return None
    if client_tables.software_table(table_name):  # oauth_clients.client_name: 'My App'
        return None, [
            f"REVIEW: {by_name.reason}, but its table's name says its clients are programs: kept"
        ]
    programs = client_tables.software_names(values)
    if programs is None:
        return None
    return None, [f"REVIEW: {by_name.reason}, but {programs}: kept"]
