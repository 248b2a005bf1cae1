"""`email` with `keep`: role addresses (postmaster@, abuse@) and a catch-all '@domain'
are kept as they are, alone or in a list, in any case; every other address is masked
as before, and unique masked addresses never take a kept local part."""

from __future__ import annotations

from typing import Any

import pytest

from tests.strategies.conftest import Masking

KEEP = ["", "abuse", "postmaster"]
VALUES = [
    "postmaster@example.org",
    "Abuse@Example.org",
    "@example.org",
    "jane.doe@example.org",
    "abuse.desk@example.org",
    "postmaster@example.org, jane.doe@example.org",
    '"Post Master" <postmaster@example.org>',
    "not an address",
]


def _run(masking: Masking, params: dict[str, Any]) -> list[str]:
    masking.conn.execute("DROP TABLE IF EXISTS role_addrs")
    masking.conn.execute("CREATE TEMP TABLE role_addrs (id int, v text)")
    with masking.conn.cursor() as cur:
        cur.executemany("INSERT INTO role_addrs VALUES (%s, %s)", list(enumerate(VALUES)))
    return [m for _, m in masking.run("email", params, "v", table="role_addrs")]


@pytest.mark.parametrize("unique", [False, True])
def test_role_addresses_kept(masking: Masking, unique: bool) -> None:
    masked = _run(masking, {"keep": KEEP, "lists": True, "unique": unique})
    assert masked[:3] == VALUES[:3]
    assert masked[3] != VALUES[3] and "jane" not in masked[3]
    assert masked[4] != VALUES[4]  # 'abuse.desk' is no listed local part
    first, second = masked[5].split(", ")
    assert first == "postmaster@example.org" and "jane" not in second
    assert masked[6] == VALUES[6]


def test_keep_refuses_non_local_parts(masking: Masking) -> None:
    from dbrefresh.strategies.registry import get

    with pytest.raises(ValueError, match="no local part"):
        get("email").params_model.model_validate({"keep": ["post master"]})
