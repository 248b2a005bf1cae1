"""url_query: only the personal query parameters of a URL are replaced, the rest kept;
at a JSON path too (an `sql` rule cannot rewrite a path's own value)."""

from __future__ import annotations

import json
import re

from .conftest import Masking

MAGNET = (
    "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
    "&dn=Anna+Smith+Wedding_2019.mp4&tr=udp%3A%2F%2Ftracker.example%3A80"
)
HUBSPOT = "https://api.hubspot.com/crm/v3/objects/contacts?email=anna.smith@gmail.com&limit=1"


def _table(masking: Masking, name: str, column_type: str, values: list[str]) -> None:
    conn = masking.conn
    conn.execute(f"DROP TABLE IF EXISTS {name}")
    conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v {column_type})")
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {name} VALUES (%s, %s)", [(i, v) for i, v in enumerate(values)]
        )


def test_named_parameters_and_addresses_are_replaced_the_rest_kept(masking: Masking) -> None:
    values = [MAGNET, HUBSPOT, "https://example.com/a?b=1", "", "magnet:?xt=urn:btih:ab"]
    _table(masking, "urls", "text", values)
    masked = dict(masking.run("url_query", {"names": ["dn"]}, "v", table="urls"))
    magnet = masked[MAGNET]
    assert re.fullmatch(
        r"magnet:\?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=[0-9a-f]{16}"
        r"&tr=udp%3A%2F%2Ftracker.example%3A80",
        magnet,
    ), magnet
    assert re.fullmatch(
        r"https://api.hubspot.com/crm/v3/objects/contacts\?email=u[0-9a-f]{16}"
        r"%40example.invalid&limit=1",
        masked[HUBSPOT],
    ), masked[HUBSPOT]
    assert masked["https://example.com/a?b=1"] == "https://example.com/a?b=1"
    assert masked["magnet:?xt=urn:btih:ab"] == "magnet:?xt=urn:btih:ab"
    assert masked[""] == ""


def test_a_json_path_keeps_its_url(masking: Masking) -> None:
    doc = [{"name": "HTTP Request", "parameters": {"url": HUBSPOT}}]
    _table(masking, "nodes", "jsonb", [json.dumps(doc)])
    rule = {"paths": {"*.parameters.url": "url_query"}}
    [(_, masked)] = masking.run("jsonb", rule, "v", table="nodes")
    url = masked[0]["parameters"]["url"]
    assert url.startswith("https://api.hubspot.com/crm/v3/objects/contacts?email=u"), url
    assert url.endswith("%40example.invalid&limit=1") and "anna" not in url
    assert masked[0]["name"] == "HTTP Request"
