"""Built-in accounts in the user-name columns `rules init` masks: kept as they are.

Moodle finds its guest account by the username 'guest' and its administrator logs in
as 'admin'; hashed to 'u3f9a...', guest access and the admin login broke on staging.
Such names are the application's, not a person's (django-guardian's 'AnonymousUser',
matched in that case only: EXACT). A column proposed a user name's
rule (kind `username`) whose table holds one of the well-known built-in names exactly
(case and all) gets a `switch` on itself: those names kept, every other value the
rule it had (`default`). The columns a foreign key ties to it get the same, so the
join still holds.

Frappe keys its users by e-mail address (`tabUser`.name) except its own two,
'Administrator' and 'Guest', which it looks up by name and which every document's
`owner` and `modified_by` name: proposed `email`, they became addresses, and the
owners pointed nowhere. An email column (kind `email`) holding a built-in name in any
case ('Administrator': no address, so no person's) keeps it the same way, and so does
a masked name column of that table (first, last or full name, a template too) holding
exactly those names: Frappe's Administrator is named 'Administrator'. A user-name
column keeps its service accounts' logins alike ('zitadel-admin-sa', 'deploy-bot':
service_accounts.py).
"""

from __future__ import annotations

import copy
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import service_accounts
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.propose_keys import Proposals, fk_groups
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.strategies.registry import get

BUILTIN = (
    "guest",
    "admin",
    "administrator",
    "root",
    "system",
    "anonymous",
    "nobody",
    "superuser",
    "sysadmin",
    "daemon",
    "demo",  # Camunda's and Flowable's demo/demo
)
# Built-in names spelled in one case only, matched exactly: django-guardian looks up its
# anonymous user by the username 'AnonymousUser' (hashed, every anonymous permission
# check failed); ODK Central names its anonymous actor '*anonymous*'
EXACT = ("AnonymousUser", "*anonymous*")
KIND = "username"
EMAIL = "email"  # built-in names matched in any case: Frappe's 'Administrator'
NAME_KINDS = frozenset({"first_name", "last_name", "full_name"})


def keep_builtin_accounts(
    conn: psycopg.Connection[Any], catalog: Catalog, proposals: Proposals
) -> None:
    """Wrap each masked user-name column holding built-in names in a switch keeping them."""
    groups = {ref: group for group in fk_groups(catalog) for ref in group}
    done: set[tuple[str, str]] = set()
    kept: list[tuple[str | dict[str, Any], list[str]]] = []  # (login rule, names kept)
    accounts: dict[str, set[str]] = {}  # table -> built-in names its email key keeps
    for name, columns in proposals.items():
        for column, proposal in list(columns.items()):
            if (
                (name, column) in done
                or proposal.kind not in {KIND, EMAIL}
                or not proposal.masked
                or proposal.strategy == "switch"
                or catalog.tables[name].columns[column].type.category != "S"
            ):
                continue
            try:
                found = _builtin(conn, catalog.tables[name], column, proposal.kind == EMAIL)
            except psycopg.Error:  # no SELECT right, timeout: the proposal stays
                continue
            if not found:
                continue
            for table, other in groups.get((name, column), [(name, column)]):
                held = proposals.get(table, {}).get(other)
                if held is None or not held.masked or held.strategy == "switch":
                    continue
                kept.append((_without_unique(rule_value(held)), found))
                proposals[table][other] = _kept(held, found)
                done.add((table, other))
            if proposal.kind == EMAIL:
                accounts.setdefault(name, set()).update(found)
    _keep_in_addresses(proposals, kept)
    _keep_first_names(conn, catalog, proposals, accounts)


def _keep_first_names(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Proposals,
    accounts: dict[str, set[str]],
) -> None:
    """The built-in account's own name ('Administrator' in Frappe's tabUser.first_name
    and full_name) kept beside it: the same names, exactly, in a masked name column of
    the table whose email key keeps them."""
    for name, found in accounts.items():
        for column, proposal in list(proposals[name].items()):
            if proposal.kind not in NAME_KINDS or not proposal.masked:
                continue
            if proposal.strategy == "switch":
                continue
            try:
                held = _held(conn, catalog.tables[name], column, sorted(found))
            except psycopg.Error:  # no SELECT right, timeout: the proposal stays
                continue
            if held:
                proposals[name][column] = _kept(proposal, held, OWN_NAME)


def _keep_in_addresses(
    proposals: Proposals, kept: list[tuple[str | dict[str, Any], list[str]]]
) -> None:
    """Built-in names kept in the addresses `url_path` masks by a login rule the
    switch now wraps ('/users/admin' stays, as 'admin' does in the login column)."""
    for columns in proposals.values():
        for proposal in columns.values():
            rules = [proposal.params] if proposal.strategy == "url_path" else []
            if proposal.strategy == "jsonb":
                paths = proposal.params.get("paths", {}).values()
                rules += [
                    r for r in paths if isinstance(r, dict) and r.get("strategy") == "url_path"
                ]
            for params in rules:
                names = [
                    n
                    for rule, found in kept
                    if rule == _without_unique(params["rule"])
                    for n in found
                ]
                if names:
                    params["keep"] = sorted(set(params.get("keep", [])) | set(names))


LOOKED_UP = "a built-in or service account the application looks up by name, kept as it is"
OWN_NAME = "the name of a built-in account this table keeps, kept as it is"


def _kept(proposal: ColumnProposal, found: list[str], reason: str = LOOKED_UP) -> ColumnProposal:
    names = ", ".join(repr(n) for n in found)
    return ColumnProposal(
        proposal.column,
        "switch",
        {
            "by": proposal.column,
            "cases": {n: "keep" for n in found},
            "default": _as_case(rule_value(proposal)),
        },
        unique=proposal.unique or bool(proposal.params.get("unique")),
        kind=proposal.kind,
        why=[
            *proposal.why,
            f"{names}: {reason}",
        ],
    )


def _as_case(rule: str | dict[str, Any]) -> str | dict[str, Any]:
    """The rule as the switch's default: `unique` kept where it is the strategy's own
    parameter (`email`'s: a unique column's addresses must stay apart)."""
    if isinstance(rule, dict) and "unique" in get(rule["strategy"]).params_model.model_fields:
        return copy.deepcopy(rule)
    return _without_unique(rule)


def _without_unique(rule: str | dict[str, Any]) -> str | dict[str, Any]:
    """The rule as a switch case: `unique` is the column's (the switch's), not a case's."""
    if isinstance(rule, str):
        return rule
    rule = {k: copy.deepcopy(v) for k, v in rule.items() if k != "unique"}
    return rule["strategy"] if len(rule) == 1 else rule


def _builtin(
    conn: psycopg.Connection[Any], table: Table, column: str, any_case: bool = False
) -> list[str]:
    """The built-in names the column holds (case and all, or in any case), in BUILTIN's
    order, then (in a user-name column: not `any_case`) its service accounts' logins;
    EXACT's names only as spelled."""
    col = sql.Identifier(column)
    held_as = sql.SQL("lower({c}::text)" if any_case else "{c}::text").format(c=col)
    rows = sql.SQL("{only}{t}").format(
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
    )
    query = sql.SQL(
        "SELECT DISTINCT {c}::text FROM {rows} WHERE {held} = ANY({names})"
        " OR {c}::text = ANY({exact})"
    ).format(
        c=col,
        rows=rows,
        held=held_as,
        names=sql.Literal(list(BUILTIN)),
        exact=sql.Literal(list(EXACT)),
    )
    held = sorted(str(row[0]) for row in sampled_rows(conn, query))
    order = {n: i for i, n in enumerate((*BUILTIN, *EXACT))}
    held.sort(key=lambda n: order.get(n, order.get(n.lower(), len(order))))
    if any_case:
        return held
    services = sql.SQL(
        "SELECT DISTINCT {c}::text FROM {rows} WHERE {c}::text ~* {p} ORDER BY 1 LIMIT {n}"
    ).format(
        c=col,
        rows=rows,
        p=sql.Literal(service_accounts.PATTERN),
        n=sql.Literal(service_accounts.MAX_KEPT),
    )
    return held + [str(row[0]) for row in sampled_rows(conn, services) if row[0] not in held]


def _held(conn: psycopg.Connection[Any], table: Table, column: str, names: list[str]) -> list[str]:
    """Which of `names` the column holds, exactly."""
    query = sql.SQL(
        "SELECT DISTINCT {c}::text FROM {only}{t} WHERE {c}::text = ANY({names})"
    ).format(
        c=sql.Identifier(column),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        names=sql.Literal(names),
    )
    return sorted(str(row[0]) for row in sampled_rows(conn, query))
