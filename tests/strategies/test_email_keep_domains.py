"""`email` with `keep_domains`: an address at a listed organisation domain keeps its
domain (any case, as written), its local part masked alike wherever it is; every other
address, a subdomain of a listed one too, gets `domain`; lists, display names and a
varchar(n) behave as without it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.strategies.conftest import Masking

KEEP = ["acme.com", "ourcompany.example"]
VALUES = [
    "jane.doe@acme.com",
    "Mario.Rossi@ACME.com",
    "ann.lee@ourcompany.example",
    "jurgen@jurgen-schmidt.de",
    "bob@eu.acme.com",
    '"Jane Doe" <jane.doe@acme.com>',
    "jane.doe@acme.com, bo@web.de",
    "",
]


def _run(masking: Masking, params: dict[str, Any], type_sql: str = "text") -> list[str]:
    masking.conn.execute("DROP TABLE IF EXISTS org_addrs")
    masking.conn.execute(f"CREATE TEMP TABLE org_addrs (id int, v {type_sql})")
    with masking.conn.cursor() as cur:
        cur.executemany("INSERT INTO org_addrs VALUES (%s, %s)", list(enumerate(VALUES)))
    return [m for _, m in masking.run("email", params, "v", table="org_addrs")]


@pytest.mark.parametrize("unique", [False, True])
def test_listed_domains_kept_local_parts_masked(masking: Masking, unique: bool) -> None:
    masked = _run(masking, {"keep_domains": KEEP, "lists": True, "unique": unique})
    local, _, domain = masked[0].partition("@")
    assert domain == "acme.com" and "jane" not in local
    assert masked[1].endswith("@ACME.com") and "mario" not in masked[1].lower()
    assert masked[2].endswith("@ourcompany.example") and "ann" not in masked[2]
    assert masked[3].endswith("@example.com")  # a person's own domain: not listed
    assert masked[4].endswith("@example.com")  # subdomains are not implied
    assert masked[5].endswith(f"<{masked[0]}>")  # the same address masks alike
    first, second = masked[6].split(", ")
    assert first == masked[0] and second.endswith("@example.com")
    assert masked[7] == ""
    if unique:
        assert len(set(masked[:5])) == 5


def test_fitted_column_still_fits(masking: Masking) -> None:
    masked = _run(masking, {"keep_domains": KEEP, "unique": True}, "varchar(40)")
    assert all(len(m) <= 40 for m in masked)
    assert masked[2].endswith("@ourcompany.example")


def test_fold_case_lowers_kept_domain(masking: Masking) -> None:
    masked = _run(masking, {"keep_domains": ["ACME.com"], "fold_case": True})
    assert masked[1].endswith("@acme.com") and masked[0].endswith("@acme.com")


def test_keep_domains_refuses_non_domains(masking: Masking) -> None:
    from dbrefresh.strategies.registry import get

    with pytest.raises(ValueError, match="no domain"):
        get("email").params_model.model_validate({"keep_domains": ["@acme.com"]})


def test_within_text_keeps_listed_domain(masking: Masking) -> None:
    masking.conn.execute("DROP TABLE IF EXISTS org_labels")
    masking.conn.execute("CREATE TEMP TABLE org_labels (id int, v text)")
    masking.conn.execute(
        'INSERT INTO org_labels VALUES (1, \'user="jane.doe@acme.com",x="bo@web.de"\')'
    )
    masked = masking.run("email", {"keep_domains": KEEP, "within": True}, "v", table="org_labels")
    text = masked[0][1]
    assert text.startswith('user="') and '@acme.com",x="' in text and "jane" not in text
    assert text.endswith('@example.com"') and "bo@" not in text
