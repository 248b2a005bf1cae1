"""rules init on JSON keys rare in the table: judged on their values, as sampled keys are.

A key path only the whole table's walk found got the rule its key name calls for:
integrations.config's form labels {"email": "E-mail address", "first_name": "First
name"} became a random address and 'Vajèn', a memory address under `mem.address` and a
placeholder 'n/a' under `geo.street` became streets, where the same documents met in
the sample were kept. Their values are now read and judged as a sampled path's; a rare
contact's real name and address are still masked.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.rules.placeholder_values import no_ones
from dbrefresh.rules.rare_values import jsonpath

from .helpers import comment_of, generate_and_compile, rule_of

INTEGRATIONS = """
CREATE TABLE integrations (id integer PRIMARY KEY, config jsonb);
INSERT INTO integrations SELECT g, jsonb_build_object('enabled', true, 'retries', 3,
    'provider', (ARRAY['stripe', 'paypal'])[1 + g % 2]) FROM generate_series(1, 3000) g;
UPDATE integrations SET config = config || '{"form_labels": {"email": "E-mail address",
    "phone": "Phone number", "first_name": "First name"}}' WHERE id IN (8, 908, 1808, 2708);
UPDATE integrations SET config = config || '{"mem": {"address": "0x7ffe1234abcd"}}'
    WHERE id IN (13, 1013, 2013);
UPDATE integrations SET config = config || '{"geo": {"city": "Paris", "street": "n/a"}}'
    WHERE id IN (17, 1317, 2617);
UPDATE integrations SET config = config || jsonb_build_object('contact', jsonb_build_object(
    'first_name', (ARRAY['Grace', 'Peter', 'Anna'])[1 + id % 3],
    'email', (ARRAY['grace.wambui', 'peter.otieno', 'anna.schmidt'])[1 + id % 3]
        || '@mail.example.org')) WHERE id IN (21, 1121, 2221);
ANALYZE;
"""
LABELS = {"email": "E-mail address", "phone": "Phone number", "first_name": "First name"}


def _configs(dsn: str) -> dict[int, dict[str, object]]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute("SELECT id, config FROM integrations").fetchall())


def test_rare_labels_and_placeholders_kept_rare_contacts_masked(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(INTEGRATIONS)
    before = _configs(dsn)
    text, _ = generate_and_compile(dsn, tmp_path, sample_rows=100)
    paths = rule_of(text, "public.integrations", "config")["paths"]
    assert paths == {
        "contact.email": "email",
        "contact.first_name": "first_name",
        "geo.city": "city",  # 'Paris' under `city`, as a sampled path's
    }, text
    why = comment_of(text, "public.integrations", "config")
    assert "contact.first_name: found outside the sample" in why
    assert "its values read" in why
    for kept in ("form_labels.email", "form_labels.first_name", "mem.address", "geo.street"):
        assert kept in why.split("as their values are not what their key names")[1], why
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="s", progress=False)
    after = _configs(dsn)
    for row in (8, 908, 1808, 2708):
        assert after[row]["form_labels"] == LABELS  # the form's labels, as they were
    assert after[13]["mem"] == {"address": "0x7ffe1234abcd"}
    for row in (17, 1317, 2617):
        geo = after[row]["geo"]
        assert isinstance(geo, dict) and geo["street"] == "n/a" and geo["city"] != "Paris"
    for row in (21, 1121, 2221):
        masked = after[row]["contact"]
        original = before[row]["contact"]
        assert isinstance(masked, dict) and isinstance(original, dict)
        assert masked["first_name"] != original["first_name"]
        assert masked["email"] != original["email"] and "@" in str(masked["email"])
    untouched = set(before) - {21, 1121, 2221, 17, 1317, 2617}
    assert all(after[i] == before[i] for i in untouched)
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="s").total_leaks == 0


def test_labels_placeholders_and_memory_addresses_are_no_ones() -> None:
    assert no_ones("first_name", "first_name", ["First name"])
    assert no_ones("first_name", "firstName", ["First name:", "first name"])
    assert no_ones("street", "address", ["0x7ffe1234abcd"])
    assert no_ones("street", "street", ["n/a", "N/A", "unknown"])
    assert not no_ones("street", "street", ["n/a"])  # one placeholder says little
    assert not no_ones("street", "street", ["n/a", "n/a", "12 Baker Street"])
    assert not no_ones("first_name", "first_name", ["First name", "Grace"])
    assert not no_ones("phone", "address", ["0x7ffe1234abcd"])  # a street's only
    assert not no_ones("street", "street", ["Baker Street"])


def test_jsonpath_of_a_walked_path() -> None:
    assert jsonpath(("form_labels", "email")) == 'strict $."form_labels"."email"'
    assert jsonpath(("phones", "*", "number")) == 'strict $."phones"[*]."number"'
    assert jsonpath(('a"b', "é")) == 'strict $."a\\"b"."é"'
    assert json.loads(jsonpath(('a"b',))[len("strict $.") :]) == 'a"b'
