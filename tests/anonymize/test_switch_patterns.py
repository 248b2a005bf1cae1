"""switch cases keyed by a pattern: Redis-like stores (NodeBB's legacy_zset) name one
kind of value by a family of keys, 'uid:5:ip', 'uid:6:ip', one per user; a case key
with `*` matches them all, exact keys first, `%`, `_` and `\\*` matching only
themselves."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.errors import MaskingRefused
from dbrefresh.strategies.switch import is_pattern, like_pattern, literal_key
from tests.anonymize.helpers import db_with_rules, fingerprint, mask_and_verify, run_cli


@pytest.mark.parametrize(
    ("key", "pattern", "like"),
    [
        ("uid:*:ip", True, "uid:%:ip"),
        ("email:uid", False, "email:uid"),
        ("a%b*", True, "a!%b%"),
        ("a_b:*", True, "a!_b:%"),
        ("wow!*", True, "wow!!%"),
        ("lit\\*", False, "lit*"),
        ("lit\\*:*", True, "lit*:%"),
    ],
)
def test_pattern_keys_compile_to_like_with_escapes(key: str, pattern: bool, like: str) -> None:
    assert is_pattern(key) is pattern
    assert like_pattern(key) == like
    assert not is_pattern(literal_key("a*b")) and like_pattern(literal_key("a*b")) == "a*b"


SCHEMA = """
CREATE TABLE kv (_key text NOT NULL, value text NOT NULL, PRIMARY KEY (_key, value));
INSERT INTO kv SELECT format('uid:%s:ip', i), format('203.0.113.%s', i)
  FROM generate_series(1, 60) i;
INSERT INTO kv SELECT format('uid:%s:name', i), format('Armin Schmiedecke %s', i)
  FROM generate_series(1, 60) i;
INSERT INTO kv VALUES ('uid:exact:ip', '198.51.100.7'), ('a%b', 'Anna Berger'),
  ('axb', 'keep me'), ('axbyz', 'keep me too'), ('a_b', 'Ben Ode'), ('azb', 'keep z'),
  ('lit*', 'starred'), ('litx', 'not starred'), ('topics:tid', '17');
"""
RULES = """version: 1
tables:
  public.kv:
    columns:
      _key: keep
      value:
        strategy: switch
        by: _key
        cases:
          'uid:*:ip': {strategy: ip, unique: true}
          'a%b*': hash
          'a_b': hash
          'lit\\*': hash
          'uid:exact:ip': keep
"""


def _values(dsn: str) -> dict[str, list[str]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT _key, value FROM kv ORDER BY 1, 2").fetchall()
    out: dict[str, list[str]] = {}
    for key, value in rows:
        out.setdefault(key, []).append(value)
    return out


def test_a_pattern_case_masks_every_key_of_its_family_and_nothing_else(
    make_db, tmp_path: Path
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "kv.yaml")
    before = _values(dsn)
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    after = _values(dsn)
    family = [k for k in before if re.fullmatch(r"uid:\d+:ip", k)]
    assert len(family) == 60
    assert all(after[k] != before[k] and after[k][0].count(".") == 3 for k in family)
    # exact keys first: 'uid:exact:ip' is kept though the pattern matches it
    assert after["uid:exact:ip"] == ["198.51.100.7"]
    # '%' and '_' in a key match only themselves, `\\*` a star
    assert after["a%b"] != before["a%b"] and after["a_b"] != before["a_b"]
    assert after["lit*"] != before["lit*"]
    for kept in ("axb", "axbyz", "azb", "litx", "topics:tid"):
        assert after[kept] == before[kept], kept
    names = [k for k in before if k.endswith(":name")]
    assert all(after[k] == before[k] for k in names)  # no case: the default keeps them
    assert report.sampled.get("public.kv.value"), report.sampled


def test_verify_sees_an_original_surviving_in_a_pattern_case(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Leak samples are taken from the rows a pattern case masks: an expression that
    writes each name back unchanged leaves it, and verify says so (comparing keys
    exactly, it sampled none of those rows)."""
    rules_text = RULES.replace(
        "          'uid:exact:ip': keep\n",
        "          'uid:exact:ip': keep\n"
        "          'uid:*:name': {strategy: sql, expression: 'btrim(value)', injective: true}\n",
    )
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, rules_text, "kv.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    text = result.out + result.err
    assert result.code != 0, text
    assert re.search(r"public\.kv\.value +│ \d+ +│ [1-9]\d* ", text), text


def test_default_fail_accepts_keys_a_pattern_matches(make_db, tmp_path: Path) -> None:
    """`default: fail` refuses a key neither an exact key nor a pattern matches, naming
    it, and changes nothing; keys of a pattern's family are listed."""
    strict = RULES.replace(
        "          'uid:exact:ip': keep\n",
        "          'uid:exact:ip': keep\n          'uid:*:name': hash\n"
        "          'a*': keep\n          'lit*': keep\n        default: fail\n",
    )
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, strict, "kv.yaml")
    originals = _values(dsn)
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(
        MaskingRefused,
        match=re.escape("no case of switch for public.kv._key = 'topics:tid' (default: fail)"),
    ):
        anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(dsn) == before
    with psycopg.connect(dsn) as conn:
        conn.execute("DELETE FROM kv WHERE _key = 'topics:tid'")
        conn.commit()
    assert mask_and_verify(dsn, rules).findings == []
    after = _values(dsn)
    assert after["axb"] == ["keep me"]  # 'a*' keeps it: exact and earlier patterns first
    assert after["uid:7:name"] != originals["uid:7:name"]
    assert after["a%b"] != originals["a%b"] and after["lit*"] != originals["lit*"]
