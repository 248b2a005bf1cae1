"""Values a key/value table's `*_address` keys hold as settings, not streets or IPs."""

from __future__ import annotations

import pytest

from dbrefresh.rules.network_settings import is_setting


@pytest.mark.parametrize(
    "value",
    [
        "ldaps://ldap.corp.example.com:636",
        "0.0.0.0:389",
        "[::]:8080",
        ":8080",
        "*:443",
        "cn=admin,dc=corp,dc=example",
        "127.0.0.1",
        "::",
    ],
)
def test_network_settings(value: str) -> None:
    assert is_setting(value)


@pytest.mark.parametrize("value", ["12 Main Street", "Hauptstraße 5", "203.0.113.7", "8080"])
def test_streets_and_client_addresses_are_no_settings(value: str) -> None:
    assert not is_setting(value)
