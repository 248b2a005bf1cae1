"""A template part reading a key of a JSON document (pretix's attendee_name_cached beside
attendee_name_parts, Zitadel's displayName beside firstName and lastName in one event
payload) equals the key as a `jsonb` rule masks it, and `otherwise` masks the values
whose parts are missing (a profile change carrying lastName and displayName alone)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from dbrefresh.strategies.registry import get

from .conftest import Masking

PARTS = {"paths": {"given_name": "first_name", "family_name": "last_name"}}


ROWS = [
    (
        "Cheyenne Butler",
        {"given_name": "Cheyenne", "family_name": "Butler"},
        {"firstName": "Michaela", "lastName": "Kälin", "displayName": "Michaela Kälin"},
    ),
    (
        "Janet Le",
        {"given_name": "Janet", "family_name": "Le"},
        {"lastName": "Weber", "displayName": "Alexander Weber"},
    ),
    (
        "Annelore Griffin",
        {"_scheme": "full", "full_name": "Annelore Griffin"},
        {"key": "admin", "displayName": "Administrator"},
    ),
    ("Todd Todd", "not json", {"firstName": "", "lastName": "Todd", "displayName": " Todd"}),
    (None, {}, None),
]


@pytest.fixture
def positions(masking: Masking) -> Masking:
    masking.conn.execute(
        "DROP TABLE IF EXISTS positions;"
        " CREATE TEMP TABLE positions (id int, cached varchar(255), parts text, doc jsonb, n int)"
    )
    for i, (cached, parts, doc) in enumerate(ROWS, start=1):
        masking.conn.execute(
            "INSERT INTO positions VALUES (%s, %s, %s, %s, %s)",
            (
                i,
                cached,
                parts if isinstance(parts, str) else json.dumps(parts),
                None if doc is None else json.dumps(doc),
                i,
            ),
        )
    return masking


def _run(masking: Masking, strategy: str, params: dict[str, Any], column: str) -> list[Any]:
    return [m for _, m in masking.run(strategy, params, column, table="positions")]


def test_a_path_part_equals_the_masked_path_and_otherwise_masks_the_rest(
    positions: Masking,
) -> None:
    template = "{first_name:parts.given_name} {last_name:parts.family_name}"
    cached = _run(positions, "template", {"template": template, "otherwise": "full_name"}, "cached")
    parts = _run(positions, "jsonb", PARTS, "parts")
    full = _run(positions, "full_name", {}, "cached")
    for row in (0, 1):
        masked = json.loads(parts[row])
        assert cached[row] == f"{masked['given_name']} {masked['family_name']}", cached
    assert cached[0] != "Cheyenne Butler" and cached[1] != "Janet Le"
    assert cached[2:4] == full[2:4]  # no given_name, no JSON: full_name as before
    assert cached[4] is None
    bare = _run(positions, "template", {"template": template}, "cached")
    assert bare[:2] == cached[:2] and bare[2] == " "  # without otherwise: parts empty


def test_a_jsonb_path_composed_of_its_document_s_other_paths(positions: Masking) -> None:
    display = {
        "strategy": "template",
        "template": "{first_name:doc.firstName} {last_name:doc.lastName}",
        "otherwise": "full_name",
    }
    rules = {"paths": {"firstName": "first_name", "lastName": "last_name", "displayName": display}}
    docs = _run(positions, "jsonb", rules, "doc")
    alone = _run(positions, "jsonb", {"paths": {"displayName": "full_name"}}, "doc")
    assert docs[0]["displayName"] == f"{docs[0]['firstName']} {docs[0]['lastName']}"
    assert docs[0]["firstName"] != "Michaela" and docs[0]["lastName"] != "Kälin"
    # a part missing: the path's old rule, never ' Toussaint' or ' '
    assert docs[1]["displayName"] == alone[1]["displayName"]
    assert docs[2]["displayName"] == alone[2]["displayName"]
    # a blank part is a value: composed ('' stays '')
    assert docs[3]["displayName"] == f" {docs[3]['lastName']}" and docs[3]["firstName"] == ""
    assert docs[4] is None


def test_a_middle_name_part_with_space_may_be_missing(positions: Masking) -> None:
    positions.conn.execute(
        """UPDATE positions SET parts = '{"given_name": "Amanda", "middle_name": "Meinhard","""
        """ "family_name": "Estes"}' WHERE id = 2"""
    )
    template = (
        "{first_name:parts.given_name} {first_name:parts.middle_name|space}"
        "{last_name:parts.family_name}"
    )
    cached = _run(positions, "template", {"template": template, "otherwise": "full_name"}, "cached")
    rules = {"paths": {**PARTS["paths"], "middle_name": "first_name"}}
    first, second = (json.loads(d) for d in _run(positions, "jsonb", rules, "parts")[:2])
    assert cached[0] == f"{first['given_name']} {first['family_name']}"
    assert cached[1] == f"{second['given_name']} {second['middle_name']} {second['family_name']}"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"template": "{keep:parts.given_name}"}, "must mask what it reads"),
        ({"template": "{first_name:parts.*.given_name}"}, "reads one key"),
        ({"template": "{first_name:parts.given_name}", "otherwise": "keep"}, "cannot mask"),
        ({"template": "{first_name:parts.given_name}", "otherwise": "sql"}, "cannot mask"),
    ],
)
def test_path_parts_and_otherwise_refused(params: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        get("template").parse_params(params)


def test_a_path_of_a_column_holding_no_document_does_not_fit(positions: Masking) -> None:
    strategy = get("template")
    params = strategy.parse_params({"template": "{first_name:n.given_name}"})
    reasons = strategy.check(params, positions.context("cached", table="positions"))
    assert reasons == ["{first_name:n...}: n is integer, no JSON document"]
