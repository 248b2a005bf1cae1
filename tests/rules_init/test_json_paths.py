"""Which paths of sampled JSON documents `rules init` proposes to mask (pure logic)."""

from __future__ import annotations

import json

from dbrefresh.rules.json_paths import (
    collapse_array_paths,
    find_paths,
    read_documents,
    scalars_by_path,
)


def test_paths_are_walked_as_the_jsonb_strategy_addresses_them() -> None:
    doc = {
        "a": {"b": "x", "flag": True, "none": None},
        "phones": ["1", "2"],
        "n": 3,
        "dotted.key": "quoted",
        "": "nameless",
    }
    assert scalars_by_path([json.dumps(doc), '{"a": {"b": "y"}}', '{"cut off']) == {
        "a.b": ["x", "y"],
        "phones.0": ["1"],
        "phones.1": ["2"],
        "n": ["3"],
        '"dotted.key"': ["quoted"],  # a key with a dot is quoted (jsonb_pathsyntax.py)
    }
    assert scalars_by_path(['"a string"', "[1, 2]", "null"]) == {"0": ["1"], "1": ["2"]}


def test_paths_found_by_key_name_or_by_values() -> None:
    docs = [
        json.dumps({"primary": f"u{i}@x.org", "phones": [f"+41 79 555 {i:04d}"], "id": i,
                    "ua": "Mozilla/5.0", "owner": {"last_name": "Meier"}})
        for i in range(30)
    ]  # fmt: skip
    found = {f.path: (f.kind, f.reason) for f in find_paths(docs, "public.t")}
    assert found == {
        "primary": ("email", "30 of 30 sampled values look like email addresses"),
        "owner.last_name": ("last_name", "key suggests a last name"),
        "phones.0": (
            "phone",
            "key suggests a phone number, 30 of 30 sampled values look like phone numbers",
        ),
    }  # fmt: skip


def test_a_birth_date_path_is_maskable_as_a_date_only_when_every_value_is_one() -> None:
    dates = [json.dumps({"dob": f"1980-01-{d:02d}"}) for d in range(1, 20)]
    [found] = find_paths(dates, "public.t")
    assert (found.kind, found.dates) == ("birth_date", True)
    [loose] = find_paths([*dates, '{"dob": "sometime in 1980"}'], "public.t")
    assert (loose.kind, loose.dates) == ("birth_date", False)


def test_a_key_called_name_needs_values_that_are_names() -> None:
    """Mastodon's profile fields {"name": "Twitter", "value": "@ann"}: the labels are no
    person's name; a display_name holding names still is one."""
    people = ["Anna", "Ben", "Clara", "Dora", "Emil", "Frida", "Gustav", "Hanna", "Ida", "Jonas"]
    labels = ["Twitter", "Phone", "Website"]
    docs = [
        json.dumps(
            {"fields": [{"name": labels[i % 3], "value": "x"}], "display_name": f"{p} Miller"}
        )
        for i, p in enumerate(people * 3)
    ]
    found = {f.path: f.kind for f in find_paths(docs, "public.accounts")}
    assert "fields.0.name" not in found
    assert found["display_name"] == "full_name"


def test_only_arrays_met_from_their_first_element_collapse() -> None:
    """Sentry's headers are [name, value] pairs: 'request.headers.0.1' is the value of
    the first pair, not an element of an array of values; collapsing it masked the
    header names too ('User-Agent' became words). The pairs themselves are elements:
    every pair's value is masked, its name kept."""
    paths = {"request.headers.0.1": "lorem", "cc.0": "email", "cc.1": "email", "tags.3.1": "hash"}
    arrays = {
        "request.headers.0.1": frozenset({2, 3}),
        "cc.0": frozenset({1}),
        "cc.1": frozenset({1}),
        "tags.3.1": frozenset({1, 2}),
    }
    collapsed, notes = collapse_array_paths(paths, arrays)
    assert collapsed == {"cc": "email", "request.headers.*.1": "lorem", "tags.3.1": "hash"}
    assert notes == [
        "cc: an array, every element masked (cc.0, cc.1 met)",
        "request.headers.*.1: every element masked, also those past the sample's "
        "(request.headers.0.1 met)",
    ]


def _collapsed(docs: list[object], kinds: dict[str, str]) -> dict[str, str]:
    """The paths proposed for the sampled documents, given each found path's rule by
    its last key."""
    read = read_documents([json.dumps(d) for d in docs])
    rules = {p: kinds[p.rpartition(".")[2]] for p in read.paths if p.rpartition(".")[2] in kinds}
    return collapse_array_paths(rules, read.arrays)[0]


def test_arrays_of_objects_and_top_level_arrays_get_a_wildcard() -> None:
    """The sample met two contacts: the path names every contact (a third one, in a
    document the sample did not read, is masked too), nested arrays alike, a top-level
    array of addresses by `*`; an object's key '0' is no array position."""
    docs = [
        {
            "contacts": [{"email": "a@x.org", "kind": "w"}, {"email": "b@x.org"}],
            "orders": [{"items": [{"name": "A"}, {"name": "B"}]}, {"items": [{"name": "C"}]}],
            "byid": {"0": {"mail": "q@x.org"}},
            "mixed": [{"mail": "r@x.org"}],
        },
        {"mixed": {"0": {"mail": "s@x.org"}}},
    ]
    assert _collapsed(docs, {"email": "email", "name": "lorem", "mail": "email"}) == {
        "contacts.*.email": "email",
        "orders.*.items.*.name": "lorem",
        "byid.0.mail": "email",
        "mixed.0.mail": "email",  # an array in one document, an object in the other
    }
    read = read_documents([json.dumps(["a@x.org", "b@x.org"])])
    assert collapse_array_paths(dict.fromkeys(read.paths, "email"), read.arrays) == (
        {"*": "email"},
        ["*: every element masked, also those past the sample's (0, 1 met)"],
    )


def test_elements_proposed_different_rules_stay_apart_with_a_review_note() -> None:
    paths = {"contacts.0.phone": "phone", "contacts.1.phone": "digits"}
    arrays = dict.fromkeys(paths, frozenset({1}))
    collapsed, notes = collapse_array_paths(paths, arrays)
    assert collapsed == paths
    assert notes == [
        "REVIEW: contacts.*.phone: elements were proposed different rules (contacts.0.phone, "
        "contacts.1.phone); elements past those the sample met are kept"
    ]


def test_a_key_named_star_cannot_be_named() -> None:
    """A bare `*` in a path is a wildcard: a key named `*` is reported as unnameable; a
    key holding a * among other characters, or a dot, is quoted."""
    doc = {"*": {"email": "a@x.org"}, "a*b": "b@x.org", "m.x": {"e": "c@x.org"}}
    read = read_documents([json.dumps(doc)])
    assert read.paths == {'"a*b"': ["b@x.org"], '"m.x".e': ["c@x.org"]}
    assert set(read.dotted) == {"*.email"}


def test_an_array_of_arrays_keeps_its_inner_arrays() -> None:
    """[["a@x.org", "b@x.org"], ["c@x.org"]]: the inner arrays are masked element by
    element (`x.*`); `x` itself masked each inner array as one text (["<hash>"])."""
    read = read_documents([json.dumps({"x": [["a@x.org", "b@x.org"], ["c@x.org"]]})])
    collapsed, _ = collapse_array_paths(dict.fromkeys(read.paths, "email"), read.arrays)
    assert collapsed == {"x.*": "email"}
