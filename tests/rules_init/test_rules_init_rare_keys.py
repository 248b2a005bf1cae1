"""rules init on JSON keys rare in the table: the whole table's key paths, not the sample's.

Apache Fineract's m_portfolio_command_source.command_as_json (text) holds thousands of
loan repayments and a few CREATE USER / CREATE STAFF payloads: their username,
firstname, lastname, mobileNo and password were never sampled, got no rule, survived,
and verify said 0 leaks. DHIS2's event.eventdatavalues, keyed by data element uid, kept
the value and storedBy of an element met in 3 of 3,000 events. Now a rare key gets the
rule its name (or its field's definition, or its siblings' rule) calls for.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.rules.json_field_ids import Field, levels
from dbrefresh.rules.table_paths import (
    WALKED,
    Walked,
    _merge_siblings,
    _nested,
    sibling_rule,
    unmet,
)

from .helpers import comment_of, generate_and_compile, rule_of

FINERACT = """
CREATE TABLE m_portfolio_command_source (id bigint PRIMARY KEY, action_name varchar(100)
    NOT NULL, entity_name varchar(100) NOT NULL, command_as_json text NOT NULL);
INSERT INTO m_portfolio_command_source SELECT g, 'REPAYMENT', 'LOAN',
    json_build_object('transactionDate', '0' || (1 + g % 9) || ' March 2024',
        'transactionAmount', (100 + g % 900)::text, 'paymentTypeId', 1, 'dateFormat',
        'dd MMMM yyyy', 'locale', 'en')::text
  FROM generate_series(1, 3000) g;
INSERT INTO m_portfolio_command_source VALUES
 (3001, 'CREATE', 'USER', '{"username": "grace.wambui", "firstname": "Grace", "lastname":
   "Wambui", "officeId": 1, "roles": ["2"], "password": "Nairobi#2024",
   "passwordNeverExpires": false}'),
 (3002, 'CREATE', 'STAFF', '{"officeId": 1, "firstname": "Peter", "lastname": "Otieno",
   "isLoanOfficer": true, "mobileNo": "0722123456", "externalId": "EMP0042",
   "joiningDate": "01 March 2024", "dateFormat": "dd MMMM yyyy", "locale": "en"}');
ANALYZE;
"""
PERSONAL = ("grace.wambui", "Grace", "Wambui", "Nairobi#2024", "Peter", "Otieno", "0722123456")


def _commands(dsn: str) -> dict[int, dict[str, object]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, command_as_json FROM m_portfolio_command_source")
        return {r[0]: json.loads(r[1]) for r in rows}


def test_rare_payload_keys_masked_by_name_and_verified(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(FINERACT)
    before = _commands(dsn)
    text, _ = generate_and_compile(dsn, tmp_path, sample_rows=100)
    paths = rule_of(text, "public.m_portfolio_command_source", "command_as_json")["paths"]
    assert paths == {
        "firstname": "first_name",
        "lastname": "last_name",
        "mobileNo": "phone",
        "password": "hash",
        "username": {"strategy": "hash", "prefix": "u"},  # as a login column's
    }, text
    why = comment_of(text, "public.m_portfolio_command_source", "command_as_json")
    assert "username: found outside the sample (a key path of the whole table)" in why
    assert WALKED in why
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="s", progress=False)
    after = _commands(dsn)
    for value in PERSONAL:
        assert value not in json.dumps(after[3001]) + json.dumps(after[3002]), value
    assert after[3001]["username"] != before[3001]["username"]
    for key in ("officeId", "isLoanOfficer", "externalId", "joiningDate", "locale", "roles"):
        for row in (3001, 3002):  # rare keys that name no one: kept
            assert after[row].get(key) == before[row].get(key), key
    assert all(after[i] == before[i] for i in range(1, 3001))  # repayments untouched
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="s")
    assert report.total_leaks == 0
    column = "public.m_portfolio_command_source.command_as_json"
    assert report.sampled[f"{column}:username"] == 1
    with psycopg.connect(dsn, autocommit=True) as conn:  # the login back, as if kept
        restored = {**after[3001], "username": "grace.wambui"}
        conn.execute(
            "UPDATE m_portfolio_command_source SET command_as_json = %s WHERE id = 3001",
            (json.dumps(restored),),
        )
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="s")
    assert report.total_leaks == 1, report.leaks


DHIS2 = """
CREATE TABLE userinfo (userinfoid bigint PRIMARY KEY, firstname varchar(160) NOT NULL,
    surname varchar(160) NOT NULL, username varchar(255) UNIQUE NOT NULL);
INSERT INTO userinfo SELECT g, (ARRAY['Paula','Walter','Grace','Peter','Ann'])[1 + g % 5],
    (ARRAY['Adams','Spence','Otieno','Kamau','Mwangi'])[1 + g % 5],
    lower(left((ARRAY['Paula','Walter','Grace','Peter','Ann'])[1 + g % 5], 1)
          || (ARRAY['Adams','Spence','Otieno','Kamau','Mwangi'])[1 + g % 5]) || g
  FROM generate_series(1, 20) g;
CREATE TABLE dataelement (dataelementid bigint PRIMARY KEY, uid varchar(11) UNIQUE NOT NULL,
    name varchar(230) UNIQUE NOT NULL, valuetype varchar(50) NOT NULL);
INSERT INTO dataelement VALUES (1, 'Jhg7K2pZ3qL', 'Contact person name', 'TEXT'),
    (2, 'qrur9Dvnyt5', 'Age in years', 'INTEGER'), (3, 'MtherNm0001', 'Mother name', 'TEXT'),
    (4, 'WghtKg00042', 'Weight in kg', 'NUMBER'), (5, 'Vllg0000007', 'Village', 'TEXT');
CREATE TABLE event (eventid bigint PRIMARY KEY, uid varchar(11) UNIQUE NOT NULL,
    eventdatavalues jsonb NOT NULL DEFAULT '{}'::jsonb);
CREATE FUNCTION dv(v text, by text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('value', v, 'created', '2024-03-01T10:11:12.000',
      'storedBy', by, 'providedElsewhere', false) $$;
INSERT INTO event SELECT e, 'E' || lpad(e::text, 10, '0'),
  jsonb_build_object('Jhg7K2pZ3qL', dv((ARRAY['James','Mary','John','Patricia','Robert'])
          [1 + e % 5] || ' ' || (ARRAY['Smith','Johnson','Williams','Brown','Jones',
          'Garcia','Miller'])[1 + e % 7], u.username),
      'qrur9Dvnyt5', dv((e % 80)::text, u.username))
  || CASE WHEN e IN (17, 1717, 2917) THEN jsonb_build_object(
      'MtherNm0001', dv('Wanjiru Achieng Kamau', u.username),
      'WghtKg00042', dv('61.5', u.username), 'Vllg0000007', dv('Kibera', u.username))
     ELSE '{}' END
FROM generate_series(1, 3000) e JOIN userinfo u ON u.userinfoid = 1 + e % 20;
ANALYZE;
"""


def test_rare_data_element_judged_by_its_definition(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(DHIS2)
    text, _ = generate_and_compile(dsn, tmp_path)
    paths = rule_of(text, "public.event", "eventdatavalues")["paths"]
    assert paths["*.storedBy"] == {"strategy": "hash", "prefix": "u"}, text  # as the logins
    assert paths["MtherNm0001.value"] == "full_name", text
    assert set(paths) == {"Jhg7K2pZ3qL.value", "MtherNm0001.value", "*.storedBy"}, text
    why = comment_of(text, "public.event", "eventdatavalues")
    assert "field 'Mother name' of public.dataelement" in why
    with psycopg.connect(dsn) as conn:
        before = {r[0]: r[1] for r in conn.execute("SELECT eventid, eventdatavalues FROM event")}
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        after = {r[0]: r[1] for r in conn.execute("SELECT eventid, eventdatavalues FROM event")}
        joined = conn.execute(
            "SELECT count(*) FROM event e, jsonb_each(e.eventdatavalues) AS d(k, v)"
            " JOIN userinfo u ON u.username = d.v->>'storedBy'"
        ).fetchone()
        logins = {r[0] for r in conn.execute("SELECT username FROM userinfo")}
    assert joined == (3000 * 2 + 3 * 3,)  # every storedBy still a user's (masked) login
    assert not logins & {v["storedBy"] for d in before.values() for v in d.values()}
    for event in (17, 1717, 2917):
        old, new = before[event], after[event]
        assert new["MtherNm0001"]["value"] != "Wanjiru Achieng Kamau"
        assert new["WghtKg00042"]["value"] == "61.5"  # a NUMBER: kept
        assert new["Vllg0000007"]["value"] == "Kibera"  # names no one: kept
        assert new["qrur9Dvnyt5"]["value"] == old["qrur9Dvnyt5"]["value"]
        assert new["MtherNm0001"]["created"] == old["MtherNm0001"]["created"]
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="s")
    assert report.total_leaks == 0
    assert report.sampled["public.event.eventdatavalues:MtherNm0001.value"] == 3


def test_text_rows_that_are_no_json_leave_the_sample_paths(make_db, tmp_path: Path) -> None:
    """A text row shaped like JSON that does not parse fails the walk on PostgreSQL 15
    (no IS JSON): init goes on with the sample's paths and says so."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(FINERACT)
        conn.execute(
            "INSERT INTO m_portfolio_command_source VALUES (3003, 'X', 'Y', '{\"a\": oops}')"
        )
        major = conn.info.server_version // 10000
    text, _ = generate_and_compile(dsn, tmp_path, sample_rows=100)
    why = comment_of(text, "public.m_portfolio_command_source", "command_as_json")
    if major < 16:
        assert "the key paths of the whole table could not be read" in why, why
    else:
        assert (
            "username"
            in rule_of(text, "public.m_portfolio_command_source", "command_as_json")["paths"]
        )


def test_unmet_paths_match_wildcards_both_ways() -> None:
    walked = Walked([("a", "*", "email"), ("tokens", "c1", "token"), ("x",)], complete=True)
    seen = [("a", "0", "email"), ("tokens", "*", "token")]
    assert unmet(walked, seen) == [("x",)]


def test_siblings_share_a_rule_only_under_codes() -> None:
    """`<uid>.storedBy` joins its siblings as `*.storedBy`; `guarantor.email` beside a
    masked `client.email` is judged by its own key, and a sibling kept on evidence
    (ten sampled values or more) keeps the level apart."""
    codes = {(), ("data",)}
    hashed = {"strategy": "hash", "prefix": "u"}
    rules = {"Jhg7K2pZ3qL.storedBy": hashed, "qrur9Dvnyt5.storedBy": hashed}
    found = sibling_rule(("MtherNm0001", "storedBy"), rules, [], codes)
    assert found == ("*.storedBy", ["Jhg7K2pZ3qL.storedBy", "qrur9Dvnyt5.storedBy"])
    assert (
        sibling_rule(("MtherNm0001", "storedBy"), rules, [("Zzzz9999999", "storedBy")], codes)
        is None
    )
    assert sibling_rule(("guarantor", "email"), {"client.email": "email"}, [], set()) is None
    mixed = {"Jhg7K2pZ3qL.value": "full_name", "qrur9Dvnyt5.value": "hash"}
    assert sibling_rule(("MtherNm0001", "value"), mixed, [], codes) is None


def test_levels_of_codes() -> None:
    uids = [("Jhg7K2pZ3qL", "value"), ("sWoqcoByYmD", "value"), ("qrur9Dvnyt5", "storedBy")]
    assert levels(uids) == {(): {"Jhg7K2pZ3qL", "sWoqcoByYmD", "qrur9Dvnyt5"}}
    words = [("client", "email"), ("guarantor", "email"), ("firstName",), ("address1",)]
    assert levels(words) == {}


def test_sampled_siblings_merge_into_one_star_path() -> None:
    """Every sampled element's storedBy masked alike: one `*.storedBy`, which also masks
    the elements no document holds yet; values stay per element."""
    hashed = {"strategy": "hash", "prefix": "u"}
    rules = {
        "Jhg7K2pZ3qL.storedBy": hashed,
        "sWoqcoByYmD.storedBy": hashed,
        "Jhg7K2pZ3qL.value": "full_name",
        "sWoqcoByYmD.value": "full_name",
    }
    fields = {(): {"Jhg7K2pZ3qL": Field(("Contact person name",), "TEXT", "public.dataelement")}}
    why = _merge_siblings(rules, [], {()}, fields)
    assert rules == {
        "*.storedBy": hashed,
        "Jhg7K2pZ3qL.value": "full_name",
        "sWoqcoByYmD.value": "full_name",
    }
    assert len(why) == 1 and why[0].startswith("*.storedBy: masked alike")


def test_a_path_around_a_rule_path_is_left_alone() -> None:
    assert _nested(("x",), {"x.*": "email"}) and _nested(("a", "b", "c"), {"a.*": "hash"})
    assert not _nested(("a", "c"), {"a.b": "hash"})
