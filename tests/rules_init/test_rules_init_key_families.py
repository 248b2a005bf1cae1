"""NodeBB on PostgreSQL: a Redis-like store whose keys name what their values are.

legacy_zset(_key, value, score) holds every index: 'email:uid' the emails (score: the
uid), 'username:uid', 'userslug:uid', 'uid:5:ip' one user's addresses, 'topics:tid'
topic ids. `value` was kept (judged as one column, no kind reached its threshold), and
so were the user hash's `userslug`, `location` and `website`; the masked hash then no
longer matched its indexes. Keys are now grouped into families ('uid:*:ip'), each
judged on its own, and masked ones become pattern cases of a switch, masked as the
hash's paths are, so a login by the masked email still finds the masked user."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report

from .helpers import comment_of, generate_and_compile, rule_of

FIRST = "'Anna','Jürgen','Marie','Kenji','João','Zofia','Olivia','Liam','Emma','Noah','Chloé'"
LAST = "'Schmidt','Dupont','Tanaka','Silva','Nowak','Miller','Keller','Rossi','Jansen','Moreau'"
NODEBB = f"""
CREATE TYPE legacy_object_type AS ENUM ('hash', 'zset', 'set', 'list', 'string');
CREATE TABLE legacy_object (_key text NOT NULL PRIMARY KEY, type legacy_object_type NOT NULL,
  "expireAt" timestamptz, UNIQUE (_key, type));
CREATE TABLE legacy_hash (_key text NOT NULL PRIMARY KEY, data jsonb NOT NULL,
  type legacy_object_type NOT NULL DEFAULT 'hash' CHECK (type = 'hash'),
  FOREIGN KEY (_key, type) REFERENCES legacy_object (_key, type)
  ON UPDATE CASCADE ON DELETE CASCADE);
CREATE TABLE legacy_zset (_key text NOT NULL, value text NOT NULL, score numeric NOT NULL,
  type legacy_object_type NOT NULL DEFAULT 'zset' CHECK (type = 'zset'),
  PRIMARY KEY (_key, value), FOREIGN KEY (_key, type) REFERENCES legacy_object (_key, type)
  ON UPDATE CASCADE ON DELETE CASCADE);
CREATE TABLE legacy_set (_key text NOT NULL, member text NOT NULL,
  type legacy_object_type NOT NULL DEFAULT 'set' CHECK (type = 'set'),
  PRIMARY KEY (_key, member), FOREIGN KEY (_key, type) REFERENCES legacy_object (_key, type)
  ON UPDATE CASCADE ON DELETE CASCADE);
CREATE TABLE legacy_list (_key text NOT NULL PRIMARY KEY, "array" text[] NOT NULL,
  type legacy_object_type NOT NULL DEFAULT 'list' CHECK (type = 'list'),
  FOREIGN KEY (_key, type) REFERENCES legacy_object (_key, type)
  ON UPDATE CASCADE ON DELETE CASCADE);
CREATE TABLE app_settings (name text PRIMARY KEY, value text NOT NULL);
INSERT INTO app_settings VALUES ('theme', 'nodebb-theme-harmony'), ('site:url',
  'https://forum.acme.example'), ('registration:type', 'normal'), ('max:post:length', '32767');
CREATE TEMP TABLE u AS SELECT g AS uid,
  (ARRAY[{FIRST}])[g % 11 + 1] || ' ' || (ARRAY[{LAST}])[g % 10 + 1] AS fn,
  lower((ARRAY[{FIRST}])[g % 11 + 1]) || (ARRAY['_', '.', ''])[g % 3 + 1]
    || lower((ARRAY[{LAST}])[g % 10 + 1]) || g AS un,
  (80 + g % 100) || '.' || (g % 211) || '.' || (g % 97) || '.' || (g % 250 + 1) AS ip,
  (ARRAY['Kulmbach, Germany', 'Lyon', 'Osaka, Japan', 'Porto', 'Gdańsk, Poland', 'Austin',
    'Rotterdam', 'Bologna', 'Leeds', 'Graz, Austria', 'Nantes', 'Sevilla', 'Utrecht',
    'Kraków', 'Denver', 'Turku, Finland'])[g % 16 + 1] AS place
  FROM generate_series(1, 200) g;
INSERT INTO legacy_object (_key, type) SELECT k, t::legacy_object_type FROM (
  SELECT 'user:' || uid AS k, 'hash' AS t FROM u
  UNION ALL SELECT k, 'zset' FROM unnest(ARRAY['username:uid', 'userslug:uid', 'email:uid',
    'ip:recent', 'topics:tid', 'users:joindate']) k
  UNION ALL SELECT 'uid:' || uid || ':ip', 'zset' FROM u
  UNION ALL SELECT 'ip:' || ip || ':uid', 'zset' FROM u
  UNION ALL SELECT 'cid:' || c || ':tids', 'zset' FROM generate_series(1, 5) c
  UNION ALL SELECT 'tid:' || t || ':followers', 'set' FROM generate_series(1, 50) t
  UNION ALL SELECT 'post:' || p || ':diffs', 'list' FROM generate_series(1, 30) p
  UNION ALL SELECT 'config', 'hash') o;
INSERT INTO legacy_hash (_key, data) SELECT 'user:' || uid, jsonb_build_object('uid', uid,
  'username', un, 'userslug', replace(un, '.', '-'),
  'email', CASE WHEN uid % 4 = 0 THEN initcap(un) ELSE un END || '@mail.example',
  'fullname', fn, 'location', place,
  'website', 'https://' || replace(un, '.', '') || '.blog.example',
  'joindate', 1700000000000 + uid, 'status', 'online') FROM u;
INSERT INTO legacy_hash (_key, data) VALUES ('config', '{{"title": "Acme Community",
  "url": "https://forum.acme.example", "email:from": "no-reply@forum.acme.example",
  "theme:id": "nodebb-theme-harmony"}}');
INSERT INTO legacy_zset (_key, value, score)
  SELECT 'username:uid', un, uid FROM u
  UNION ALL SELECT 'userslug:uid', replace(un, '.', '-'), uid FROM u
  UNION ALL SELECT 'email:uid', un || '@mail.example', uid FROM u
  UNION ALL SELECT 'uid:' || uid || ':ip', ip, 1700000000000 FROM u
  UNION ALL SELECT 'ip:' || ip || ':uid', uid::text, 1700000000000 FROM u
  UNION ALL SELECT 'ip:recent', ip, 1700000000000 + uid FROM u
  UNION ALL SELECT 'users:joindate', uid::text, 1700000000000 + uid FROM u
  UNION ALL SELECT 'topics:tid', t::text, 1700000000000 + t FROM generate_series(1, 300) t
  UNION ALL SELECT 'cid:' || (t % 5 + 1) || ':tids', t::text, t FROM generate_series(1, 300) t;
INSERT INTO legacy_set (_key, member)
  SELECT 'tid:' || t || ':followers', (t * 7 % 200 + 1)::text FROM generate_series(1, 50) t;
INSERT INTO legacy_list (_key, "array") SELECT 'post:' || p || ':diffs',
  ARRAY[(1700000000000 + p)::text, (1700000005000 + p)::text] FROM generate_series(1, 30) p;
ANALYZE;
"""
USERS = (
    "SELECT (data->>'uid')::int, data->>'email', data->>'username', data->>'userslug',"
    " data->>'location', data->>'website' FROM legacy_hash WHERE _key ~ '^user:[0-9]+$'"
)


def _read(dsn: str) -> dict[str, list[tuple[object, ...]]]:
    with psycopg.connect(dsn) as conn:
        return {
            "users": conn.execute(USERS + " ORDER BY 1").fetchall(),
            "zset": conn.execute(
                "SELECT _key, value, score FROM legacy_zset ORDER BY 1, 3, 2"
            ).fetchall(),
            "set": conn.execute("SELECT * FROM legacy_set ORDER BY 1, 2").fetchall(),
            "list": conn.execute("SELECT * FROM legacy_list ORDER BY 1").fetchall(),
            "settings": conn.execute("SELECT * FROM app_settings ORDER BY 1").fetchall(),
            "config": conn.execute("SELECT data FROM legacy_hash WHERE _key = 'config'").fetchall(),
        }


def _family(rows: list[tuple[object, ...]], test: str) -> list[tuple[object, ...]]:
    return [r for r in rows if re.fullmatch(test, str(r[0]))]


def test_nodebb_indexes_are_masked_by_key_family_as_the_user_hash(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(NODEBB)
    before = _read(dsn)
    text, _ = generate_and_compile(dsn, tmp_path)
    rule = rule_of(text, "public.legacy_zset", "value")
    assert rule["strategy"] == "switch" and rule["by"] == "_key", rule
    cases = rule["cases"]
    for family in ("email:uid", "username:uid", "userslug:uid", "ip:recent", "uid:*:ip"):
        assert family in cases, (family, cases)
    for kept in ("topics:tid", "users:joindate", "cid:*:tids", "ip:*:uid"):
        assert kept not in cases, (kept, cases)
    # the keys holding an address are named for a human to decide
    assert "ip:*:uid: IP addresses" in comment_of(text, "public.legacy_zset", "_key")
    assert "REVIEW" in comment_of(text, "public.legacy_object", "_key")

    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    after = _read(dsn)
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    assert not [f for f in report.findings if f.code == "leak"], report.findings

    # no email, login, slug or address of a user survives in an index
    originals = {str(v).lower() for row in before["users"] for v in row[1:4]}
    addresses = {str(r[1]) for r in _family(before["zset"], r"uid:\d+:ip")}
    values = {str(r[1]).lower() for r in after["zset"]}
    assert not values & originals, sorted(values & originals)[:5]
    assert not values & addresses, sorted(values & addresses)[:5]
    assert len(_family(after["zset"], r"uid:\d+:ip")) == 200

    # the masked user hash still matches its masked indexes, user by user
    index = {(str(k), float(s)): str(v) for k, v, s in after["zset"]}
    users = after["users"]
    assert len(users) == 200
    for uid, email, username, slug, _place, _site in users:
        assert index[("email:uid", float(uid))] == str(email).lower(), (uid, email)
        assert index[("username:uid", float(uid))] == username, (uid, username)
        assert index[("userslug:uid", float(uid))] == slug, (uid, slug)
    # and its slug, location and web site are masked too
    pairs = list(zip(before["users"], users, strict=True))
    for column in (3, 5):  # userslug, website
        assert all(old[column] != new[column] for old, new in pairs), column
    # a city drawn from the dictionary may be the original by chance ('Lyon')
    assert sum(old[4] != new[4] for old, new in pairs) > 0.8 * len(pairs)

    # ids, numbers, sets of uids, lists of timestamps, settings: unchanged
    for test in (r"topics:tid", r"users:joindate", r"cid:\d+:tids", r"ip:.*:uid"):
        assert _family(after["zset"], test) == _family(before["zset"], test), test
    for part in ("set", "list", "settings"):
        assert after[part] == before[part], part
    # a user document's `website` is masked, the forum's own `url` is not
    (config,), (old_config,) = after["config"][0], before["config"][0]
    for key in ("url", "title", "theme:id"):
        assert config[key] == old_config[key], key
