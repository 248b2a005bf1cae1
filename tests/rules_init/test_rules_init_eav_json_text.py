"""A key/value table named by shape, its values JSON strings kept in text: Firefly III's
account_meta(account_id, name, data), data '"DE89370400440532013000"' for the key
'account_number' and '"defaultAsset"' for 'account_role'. The pair (name, data) is in no
list of key/value names, so `name` got hash (a user name, in a table about accounts,
and the application found none of its settings), `data` keep (the quoted IBAN was not
seen) or, on more data, lorem ('"defaultAsset"' became words, no longer JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify_report

from .helpers import generate_then_mask, rule_of, strategy_of

FIREFLY = """
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO accounts SELECT i, 'Account ' || i FROM generate_series(1, 300) i;
CREATE TABLE account_meta (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts,
  name text NOT NULL, data text NOT NULL);
INSERT INTO account_meta (account_id, name, data)
  SELECT i, 'account_number', to_json('DE89 3704 0044 0532 0130 00'::text)::text
  FROM generate_series(1, 300) i;
INSERT INTO account_meta (account_id, name, data)
  SELECT i, 'BIC', '"COBADEFFXXX"' FROM generate_series(1, 300) i;
INSERT INTO account_meta (account_id, name, data)
  SELECT i, 'account_role', to_json((ARRAY['defaultAsset', 'sharedAsset', 'savingAsset'])
  [1 + i % 3])::text FROM generate_series(1, 300) i;
CREATE TABLE events (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts,
  name text NOT NULL, data text NOT NULL);
INSERT INTO events (account_id, name, data) SELECT 1 + i % 30,
  (ARRAY['login', 'logout', 'export'])[1 + i % 3], 'user' || i || '@mail.example'
  FROM generate_series(1, 600) i;
CREATE TABLE transfers (id int PRIMARY KEY, payload text NOT NULL);
"""


def _iban(n: int) -> str:
    """A German IBAN with valid check digits (mod 97)."""
    bban = f"37040044{n:010d}"
    digits = int(bban + "131400")  # DE00 moved to the end, letters as numbers
    return f"DE{98 - digits % 97:02d}{bban}"


FIREFLY += "INSERT INTO transfers VALUES " + ", ".join(
    f"({i}, '{json.dumps(_iban(i))}')" for i in range(1, 301)
)
FIREFLY += ";\nANALYZE;\n"


def test_json_string_values_of_a_key_value_table(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, FIREFLY)
    assert strategy_of(text, "public.account_meta", "name") == "keep"
    rule = rule_of(text, "public.account_meta", "data")
    assert rule["strategy"] == "switch" and rule["by"] == "name", rule
    assert "account_number" in rule["cases"], rule
    assert "account_role" not in rule["cases"], rule
    # an events table repeats (account, name): no key/value table, data judged whole
    assert strategy_of(text, "public.events", "data") != "switch"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT name, data FROM account_meta").fetchall()
    for _name, data in rows:
        json.loads(data)  # still JSON, every row
    roles = {json.loads(d) for n, d in rows if n == "account_role"}
    assert roles == {"defaultAsset", "sharedAsset", "savingAsset"}
    numbers = [d for n, d in rows if n == "account_number"]
    assert len(numbers) == 300 and not any("3704" in d for d in numbers), numbers[:3]
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    assert not [f for f in report.findings if f.code == "leak"], report.findings
    assert report.sampled.get("public.account_meta.data"), report.sampled


def test_a_kept_text_column_of_json_strings_is_judged_by_their_text(
    make_db, tmp_path: Path
) -> None:
    """Outside key/value tables too: '"DE89370400440532000001"' in a text column was kept."""
    dsn, text = generate_then_mask(make_db, tmp_path, FIREFLY)
    assert rule_of(text, "public.transfers", "payload") == {
        "strategy": "template",
        "template": '"{hash}"',
    }
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT payload FROM transfers").fetchall()
    assert all(isinstance(json.loads(p), str) and "37040044" not in p for (p,) in rows)
