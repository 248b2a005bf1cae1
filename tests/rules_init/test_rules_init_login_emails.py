"""Login columns where some people log in by address: `forms`, the address by the email rule.

OpenProject's users.login equals users.mail for the users who log in by address (a
quarter of them), Airflow's ab_user.username for a third: both got `hash`, every
address hashed, and `login = mail` matched no row after masking. A login column with
a stray address or two stays `hash`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

FIRST = "ARRAY['anna','peter','lisa','jonas','marie','felix','clara','paul']"
LAST = "ARRAY['schmidt','meyer','wagner','becker','fischer','weber','hoffmann','koch']"
LOGINS = f"""
CREATE TABLE users (id int PRIMARY KEY, login text UNIQUE NOT NULL, mail text NOT NULL);
INSERT INTO users SELECT g,
  CASE WHEN g % 4 = 0 THEN n || '@mail.example' ELSE n END, n || '@mail.example'
  FROM (SELECT g, ({FIRST})[1 + g % 8] || '.' || ({LAST})[1 + (g / 8) % 8] || g AS n
        FROM generate_series(1, 400) g) s;
CREATE TABLE operators (id int PRIMARY KEY, username text NOT NULL);
INSERT INTO operators SELECT g,
  CASE WHEN g IN (7, 9) THEN 'ops' || g || '@mail.example'
    ELSE ({FIRST})[1 + g % 8] || '_' || ({LAST})[1 + (g / 8) % 8] || g END
  FROM generate_series(1, 400) g;
"""


def test_login_by_address_masks_its_addresses_as_the_email_column(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, LOGINS)
    login = rule_of(text, "public.users", "login")
    assert login["strategy"] == "forms", text
    mail = rule_of(text, "public.users", "mail")
    mail_rule = mail if isinstance(mail, dict) else {"strategy": mail}
    assert login["cases"]["email"] == mail_rule, text
    assert login["default"]["strategy"] == "hash", text
    # two addresses among 400 logins: no one logs in by address, hash as before
    assert strategy_of(text, "public.operators", "username") == "hash", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE login = mail),
                count(*) FILTER (WHERE login LIKE '%@%'),
                count(*) FILTER (WHERE login ~ '(schmidt|meyer|wagner|becker)'),
                count(DISTINCT login)
            FROM users"""
        ).fetchone()
        assert row == (100, 100, 0, 400)  # login = mail still joins; no name left
