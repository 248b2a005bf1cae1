"""Masked copies of another table's login or name: that column's rule, so joins by value hold.

Airflow's log.owner copies ab_user.username (or holds 'airflow') and got `lorem` for the
addresses among them, Canvas's developer_keys.user_name copies users.name and got
`hash` by its name: each join by value matched no row after masking. A column sharing
a few values with the logins keeps its own rule.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

FIRST = (
    "ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David',"
    "'Elizabeth','William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah',"
    "'Charles','Karen']"
)
LAST = (
    "ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis',"
    "'Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas',"
    "'Taylor','Moore','Jackson','Martin']"
)
COPIES = f"""
CREATE TABLE users (id int PRIMARY KEY, login text UNIQUE NOT NULL, mail text NOT NULL,
  name text NOT NULL);
INSERT INTO users SELECT g,
  CASE WHEN g % 4 = 0 THEN lower(f || '.' || l) || g || '@mail.example'
    ELSE lower(f || '.' || l) || g END,
  lower(f || '.' || l) || g || '@mail.example', f || ' ' || l
  FROM (SELECT g, ({FIRST})[1 + g % 20] AS f, ({LAST})[1 + (g / 20) % 20] AS l
        FROM generate_series(1, 399) g) s;
CREATE TABLE log (id int PRIMARY KEY, owner text NOT NULL, event text NOT NULL);
INSERT INTO log SELECT g,
  CASE WHEN g % 10 = 0 THEN 'airflow' ELSE (SELECT login FROM users WHERE id = 1 + g % 399) END,
  (ARRAY['trigger','paused','login'])[1 + g % 3]
  FROM generate_series(1, 1500) g;
CREATE TABLE developer_keys (id int PRIMARY KEY, user_name text NOT NULL);
INSERT INTO developer_keys SELECT g, (SELECT name FROM users WHERE id = g * 7)
  FROM generate_series(1, 50) g;
CREATE TABLE notes (id int PRIMARY KEY, user_name text NOT NULL);
INSERT INTO notes SELECT g,
  CASE WHEN g <= 20 THEN (SELECT login FROM users WHERE id = g * 4 + 1)
    ELSE (ARRAY['guest_','visitor_','tester_'])[1 + g % 3] || 'kiosk' || g END
  FROM generate_series(1, 60) g;
"""


def test_masked_copies_take_the_rule_of_the_column_they_copy(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, COPIES)
    login = rule_of(text, "public.users", "login")
    assert login["strategy"] == "forms", text
    bare = {k: v for k, v in login.items() if k != "unique"}
    assert rule_of(text, "public.log", "owner") == bare, text
    assert rule_of(text, "public.developer_keys", "user_name") == rule_of(
        text, "public.users", "name"
    ), text
    # 20 of 60 values are logins (a third, enough for a kept column): no copy, its own rule
    assert rule_of(text, "public.notes", "user_name") == {"strategy": "hash", "prefix": "u"}, text
    with psycopg.connect(dsn) as conn:
        joins = conn.execute(
            """SELECT (SELECT count(*) FROM log JOIN users ON users.login = log.owner),
                (SELECT count(*) FROM developer_keys d JOIN users u ON u.name = d.user_name),
                (SELECT count(*) FROM log WHERE owner = 'airflow' OR owner ~ 'smith'),
                (SELECT count(*) FROM developer_keys WHERE user_name ~ '(Smith|Johnson)')"""
        ).fetchone()
        assert joins is not None
        assert joins[0] == 1350, joins  # every copied login still finds its user
        assert joins[1] >= 50, joins  # (a masked name may be shared by more users)
        assert joins[2:] == (0, 0), joins  # masked, 'airflow' too
