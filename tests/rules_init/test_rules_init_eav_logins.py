"""DHIS2's tracker: logins kept in a key/value table and its audit.

An attribute of value type USERNAME ('Assigned health worker') holds userinfo.username
in trackedentityattributevalue.value; it was left out of the switch, so the usernames
survived and no longer named any user. trackedentityattributevalueaudit.modifiedby (two
auditors) was kept, and its value got `forms` (first names hashed as logins) instead of
the values table's switch. Now the login key is masked like userinfo.username, the
audit's modifiedby too, and the audit's value by the same switch: every join holds,
and the organisation unit ids are kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE userinfo (userinfoid bigint PRIMARY KEY, surname varchar(160) NOT NULL,
  firstname varchar(160) NOT NULL, username varchar(255) UNIQUE NOT NULL);
INSERT INTO userinfo SELECT g, (ARRAY['Adams','Spence','Otieno','Kamau','Mwangi'])[1+g%5],
  (ARRAY['Paula','Walter','Grace','Peter','Ann'])[1+g%5],
  lower(left((ARRAY['Paula','Walter','Grace','Peter','Ann'])[1+g%5],1)
  ||(ARRAY['Adams','Spence','Otieno','Kamau','Mwangi'])[1+g%5])||g FROM generate_series(1,20) g;
CREATE TABLE trackedentityattribute (trackedentityattributeid bigint PRIMARY KEY,
  uid varchar(11) UNIQUE NOT NULL, code varchar(50) UNIQUE, name varchar(230) UNIQUE NOT NULL,
  valuetype varchar(36) NOT NULL);
INSERT INTO trackedentityattribute VALUES (1,'w75KJ2mc4zz','MMD_PER_NAM','First name','TEXT'),
  (2,'HlthWrkr001',NULL,'Assigned health worker','USERNAME'),
  (3,'OrgUnitAt01',NULL,'Home facility','ORGANISATION_UNIT');
CREATE TABLE trackedentityattributevalue (trackedentityid bigint NOT NULL,
  trackedentityattributeid bigint NOT NULL REFERENCES trackedentityattribute,
  value varchar(1200), storedby varchar(255),
  PRIMARY KEY (trackedentityid, trackedentityattributeid));
INSERT INTO trackedentityattributevalue
  SELECT t, 1, (ARRAY['James','Mary','John','Patricia','Robert','Linda'])[1+t%6], u.username
  FROM generate_series(1,300) t JOIN userinfo u ON u.userinfoid=1+t%20;
INSERT INTO trackedentityattributevalue SELECT t, 2, u.username, u.username
  FROM generate_series(1,300) t JOIN userinfo u ON u.userinfoid=1+(t*7)%20;
INSERT INTO trackedentityattributevalue
  SELECT t, 3, (ARRAY['DiszpKrYNg8','ImspTQPwCqd','O6uvpzGd5pu'])[1+t%3], u.username
  FROM generate_series(1,300) t JOIN userinfo u ON u.userinfoid=1+t%20;
CREATE TABLE trackedentityattributevalueaudit (trackedentityattributevalueauditid bigint
  PRIMARY KEY, trackedentityid bigint, trackedentityattributeid bigint, value varchar(50000),
  created timestamp, modifiedby varchar(255), audittype varchar(100) NOT NULL);
INSERT INTO trackedentityattributevalueaudit SELECT g, g, 1 + g % 3, v.value, now(),
  (SELECT username FROM userinfo WHERE userinfoid = 1 + g % 2), 'UPDATE'
  FROM generate_series(1, 90) g JOIN trackedentityattributevalue v
  ON v.trackedentityid = g AND v.trackedentityattributeid = 1 + g % 3;
"""

JOINS = """
SELECT (SELECT count(*) FROM trackedentityattributevalue v JOIN userinfo u
          ON u.username = v.value WHERE trackedentityattributeid = 2),
       (SELECT count(*) FROM trackedentityattributevalueaudit a JOIN userinfo u
          ON u.username = a.modifiedby),
       (SELECT count(*) FROM trackedentityattributevalueaudit a
          JOIN trackedentityattributevalue v
          USING (trackedentityid, trackedentityattributeid, value))
"""


def test_logins_in_a_switch_and_its_audit_are_masked_and_still_join(
    make_db, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    cases = rule_of(text, "public.trackedentityattributevalue", "value")["cases"]
    assert cases["2"] == {"strategy": "hash", "prefix": "u"}
    assert "3" not in cases or cases["3"] == "keep"
    audit = rule_of(text, "public.trackedentityattributevalueaudit", "value")
    assert audit["strategy"] == "switch" and audit["cases"] == cases
    assert rule_of(text, "public.trackedentityattributevalueaudit", "modifiedby") == {
        "strategy": "hash",
        "prefix": "u",
    }
    with psycopg.connect(dsn) as conn:
        assert conn.execute(JOINS).fetchone() == (300, 90, 90)
        logins = {r[0] for r in conn.execute("SELECT username FROM userinfo")}
        assert not any(v.startswith(("pa", "wsp", "go")) and v[-1].isdigit() for v in logins)
        held = conn.execute(
            "SELECT value FROM trackedentityattributevalue WHERE trackedentityattributeid = 3"
        ).fetchall()
        assert {r[0] for r in held} == {"DiszpKrYNg8", "ImspTQPwCqd", "O6uvpzGd5pu"}
        names = conn.execute(
            "SELECT count(*) FROM trackedentityattributevalueaudit WHERE value IN"
            " ('James','Mary','John','Patricia','Robert','Linda')"
        ).fetchone()
        assert names == (0,)
        audit_users = conn.execute(
            "SELECT count(*) FROM trackedentityattributevalueaudit"
            " WHERE modifiedby IN ('wspence1', 'gotieno2')"
        ).fetchone()
        assert audit_users == (0,)
