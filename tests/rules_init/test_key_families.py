"""Key families of Redis-like stores (rules/key_families.py): pure logic over keys."""

from __future__ import annotations

from dbrefresh.rules.key_families import all_ids, embedded, families, names_of, ordered

UIDS = [f"uid:{i}:ip" for i in range(1, 30)]
NAMES = ["anna_schmidt", "ben.ode", "chloe99", "djansen", "emma-rossi", "f.moreau", "gkeller"]
QUEUE = [f"registration:queue:name:{n}{i}" for n in NAMES for i in range(2)]


def test_ids_addresses_and_many_siblings_become_stars() -> None:
    keys = [
        *UIDS,
        *QUEUE,
        "ip:203.0.113.7:uid",
        "ip:2001:db8::1:uid",
        "email:uid",
        "sess:" + "ab12" * 8,
        "confirm:3f2a8c4e-1b2d-4c5e-9f00-aa11bb22cc33",
        "tid:4:pid:5:uid:6",
        "settings:markdown",
    ]
    got = families(keys)
    assert {got[k] for k in UIDS} == {"uid:*:ip"}
    assert {got[k] for k in QUEUE} == {"registration:queue:name:*"}
    assert got["ip:203.0.113.7:uid"] == got["ip:2001:db8::1:uid"] == "ip:*:uid"
    assert got["email:uid"] == "email:uid"
    assert got["sess:" + "ab12" * 8] == "sess:*"
    assert got["confirm:3f2a8c4e-1b2d-4c5e-9f00-aa11bb22cc33"] == "confirm:*"
    assert got["tid:4:pid:5:uid:6"] == "tid:*:pid:*:uid:*"
    assert got["settings:markdown"] == "settings:markdown"  # alone: no family


def test_a_star_in_a_key_from_data_is_escaped_and_percent_kept() -> None:
    """A key holding `*` matches only itself in a case; `%` and `_` need no escape
    (the switch compiles them to LIKE escapes)."""
    got = families(["a*b", "x:a%b_c:1", "x:a%b_c:2"])
    assert got["a*b"] == "a\\*b"
    assert got["x:a%b_c:1"] == "x:a%b_c:*"


def test_embedded_values_are_named_by_kind() -> None:
    found = embedded([*QUEUE, "ip:203.0.113.7:uid", "sess:" + "ab12" * 8, *UIDS], "legacy_object")
    assert found["ip:*:uid"] == "IP addresses"
    assert found["registration:queue:name:*"].startswith("names or logins")
    assert found["sess:*"].startswith("session ids")
    assert "uid:*:ip" not in found  # a uid is no personal value


def test_names_and_ids() -> None:
    assert names_of("uid:*:emails") == ["emails", "uid"]
    assert names_of("email:uid") == ["email", "uid"]
    assert names_of("ip:*:uid") == ["ip", "uid"]
    assert all_ids(["1", "17", "3f2a8c4e-1b2d-4c5e-9f00-aa11bb22cc33", ""])
    assert not all_ids(["203.0.113.7"])


def test_specific_patterns_first() -> None:
    cases = {"user:*": "a", "email:uid": "b", "user:*:ip": "c", "a\\*b": "d"}
    assert list(ordered(cases)) == ["email:uid", "a\\*b", "user:*:ip", "user:*"]
