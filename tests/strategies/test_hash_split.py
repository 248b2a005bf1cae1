"""hash with keep_leading / keep_from: a Matrix-style id keeps its shape, and hashes
its local part as a bare local part hashes, so ids and local parts kept in other
tables (joined by value, no foreign key) still agree once masked."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from dbrefresh.strategies.registry import get

from .conftest import Masking

SPLIT = {"prefix": "u", "keep_leading": "@", "keep_from": ":"}
IDS = ["@dennis.boone:example.org", "@anna:matrix.example.com:8448", "@dennis.boone:other.net"]


def _table(masking: Masking, name: str, column_type: str, values: list[str]) -> None:
    conn = masking.conn
    conn.execute(f"DROP TABLE IF EXISTS {name}")
    conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v {column_type})")
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {name} VALUES (%s, %s)", [(i, v) for i, v in enumerate(values)]
        )


def test_an_id_keeps_its_sigil_and_server_and_hashes_like_its_local_part(
    masking: Masking,
) -> None:
    _table(masking, "mxids", "text", [*IDS, "plain", "", ":nolocal"])
    _table(masking, "locals", "text", ["dennis.boone", "anna", "plain"])
    masked = dict(masking.run("hash", SPLIT, "v", table="mxids"))
    alone = dict(masking.run("hash", SPLIT, "v", table="locals"))
    plain = dict(masking.run("hash", {"prefix": "u"}, "v", table="locals"))
    assert alone == plain  # no sigil, no separator: the usual hash
    boone = masked["@dennis.boone:example.org"]
    assert re.fullmatch(r"@u[0-9a-f]{32}:example\.org", boone), boone
    assert boone == "@" + alone["dennis.boone"] + ":example.org"
    assert masked["@dennis.boone:other.net"] == "@" + alone["dennis.boone"] + ":other.net"
    assert masked["@anna:matrix.example.com:8448"] == (
        "@" + alone["anna"] + ":matrix.example.com:8448"
    )
    assert masked["plain"] == alone["plain"]
    assert masked[""] == ""  # blank stays blank
    assert re.fullmatch(r"u[0-9a-f]{32}:nolocal", masked[":nolocal"])
    assert "dennis" not in " ".join(masked.values())


def test_a_varchar_too_short_for_the_kept_parts_gets_the_whole_hash(masking: Masking) -> None:
    _table(masking, "short_ids", "varchar(48)", ["@ab:example.org", "@abc:a-long-host.example.org"])
    _table(masking, "text_ids", "text", ["@ab:example.org"])
    masked = dict(masking.run("hash", SPLIT, "v", table="short_ids"))
    # fitting, it masks as in a text column
    assert masked["@ab:example.org"] == masking.run("hash", SPLIT, "v", table="text_ids")[0][1]
    long = masked["@abc:a-long-host.example.org"]
    assert re.fullmatch(r"u[0-9a-f]{32}", long), long


@pytest.mark.parametrize(
    "params",
    [{"keep_leading": "@a"}, {"keep_leading": "@", "prefix": "@u"}],
)
def test_parts_that_could_merge_are_refused(params: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        get("hash").parse_params(params)


def test_arrays_of_ids_and_case_insensitive_ids(masking: Masking) -> None:
    """Ids in an array (a mentions list) mask element by element like the column's; in
    a citext column, case variants of an id mask alike."""
    masking.conn.execute("CREATE EXTENSION IF NOT EXISTS citext")
    _table(masking, "mx_text", "text", ["@dennis.boone:example.org", "@anna:example.org"])
    _table(masking, "mx_arrays", "text[]", [])
    masking.conn.execute(
        "INSERT INTO mx_arrays VALUES (1, ARRAY['@anna:example.org', '@dennis.boone:example.org'])"
    )
    _table(masking, "mx_ci", "citext", ["@Dennis.Boone:Example.org", "@dennis.boone:example.org"])
    one = dict(masking.run("hash", SPLIT, "v", table="mx_text"))
    [(_, masked)] = masking.run("hash", SPLIT, "v", table="mx_arrays")
    assert masked == [one["@anna:example.org"], one["@dennis.boone:example.org"]]
    folded = [m for _, m in masking.run("hash", SPLIT, "v", table="mx_ci")]
    assert folded == [one["@dennis.boone:example.org"]] * 2


def test_keep_unsplit_keeps_the_values_without_the_separator(masking: Masking) -> None:
    """Immich's sessions."deviceType": "Robert's iPhone" hashed, 'Chrome' kept."""
    values = ["Robert's iPhone", "Chrome", "Mobile Safari", "", None]
    _table(masking, "device_types", "varchar", values)
    params = {"keep_from": "'", "keep_unsplit": True}
    masked = dict(masking.run("hash", params, "v", table="device_types"))
    assert re.fullmatch(r"[0-9a-f]{32}'s iPhone", masked["Robert's iPhone"])
    assert masked["Chrome"] == "Chrome" and masked["Mobile Safari"] == "Mobile Safari"
    assert masked[""] == "" and masked[None] is None
    with pytest.raises(ValidationError, match="keep_unsplit"):
        get("hash").parse_params({"keep_unsplit": True})
