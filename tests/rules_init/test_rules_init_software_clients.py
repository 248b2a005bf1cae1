"""Clients that are programs, not people: `name` of Zulip's zerver_client or an
api_client table ('ZulipMobile', 'website') got a hashed user name, and every client
lookup by name failed; a CRM's clients keep their name rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbrefresh.rules import client_tables, pii

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

PROGRAMS = ["website", "ZulipElectron", "ZulipMobile", "ZulipPython", "internal", "ZulipTerminal"]


@pytest.mark.parametrize(
    "table",
    [
        "public.api_client",
        "public.oauth_clients",
        "public.client_applications",
        "public.oauth2_client",
    ],
)
def test_tables_of_software_clients_are_not_about_people(table: str) -> None:
    assert pii.match_name("name", table) is None


@pytest.mark.parametrize(
    "table", ["public.clients", "crm.client", "public.client_contacts", "public.api_users"]
)
def test_tables_of_customers_still_are(table: str) -> None:
    found = pii.match_name("name", table)
    assert found is not None and found.kind == "full_name"


def test_program_names_and_people() -> None:
    assert all(map(client_tables.is_program_name, PROGRAMS))
    for value in ["John Smith", "Acme GmbH", "Web Solutions Ltd", "Smith", "anna"]:
        assert not client_tables.is_program_name(value), value


def test_client_tables_of_programs_keep_their_names(make_db, tmp_path: Path) -> None:
    listed = ", ".join(f"({i}, '{name}')" for i, name in enumerate(PROGRAMS, 1))
    _, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE api_client (id int PRIMARY KEY, name varchar(30) NOT NULL UNIQUE);"
        "CREATE TABLE zerver_client (id int PRIMARY KEY, name varchar(30) NOT NULL UNIQUE);"
        "CREATE TABLE clients (id int PRIMARY KEY, name text NOT NULL);"
        "CREATE TABLE oauth_clients (id int PRIMARY KEY, client_name text NOT NULL);"
        "INSERT INTO oauth_clients VALUES (1, 'Mobile Wallet'), (2, 'Partner Portal'),"
        " (3, 'Ann Lee');"
        f"INSERT INTO api_client VALUES {listed};"
        f"INSERT INTO zerver_client VALUES {listed};"
        "INSERT INTO clients VALUES (1, 'John Smith'), (2, 'Mary Jones'), (3, 'Peter Miller'),"
        " (4, 'Acme GmbH')",
    )
    assert rule_of(text, "public.api_client", "name") == "keep"
    assert rule_of(text, "public.zerver_client", "name") == "keep"
    assert "look like names of programs" in comment_of(text, "public.zerver_client", "name")
    assert strategy_of(text, "public.clients", "name") == "full_name"
    assert rule_of(text, "public.oauth_clients", "client_name") == "keep"
