"""pretix and pretalx, as a tester modelled them: pretalx's person_user.nick (unique
handles built from real names, 'mbutte2') was kept, `nick` being no user-name word;
pretix's orderposition.web_secret (the ticket download link's token) was kept while
`secret` beside it was hashed, `web` making a name about the value; mail_queuedmail's
"to" lost its `lists: true` when it took person_user.email's rule, its note still
promising each address masked; and a jsonb rule whose only path (`notes`) was blank in
every document made verify warn that its leak check proved nothing."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify_report
from dbrefresh.rules.pii import match_name

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

FIRSTS = "ARRAY['Maria','Jonas','Rebecca','Ahmed','Lena','Tobias','Sofia','Kenji']"
LASTS = "ARRAY['Butte','Mills','Dunn','Smith-Hardy','Okafor','Weber','Nowak']"
PEOPLE = f"""(SELECT g, ({FIRSTS})[1 + g % 8] f, ({LASTS})[1 + g % 7] l
  FROM generate_series(1, 200) g) s"""
NICK = "lower(left(f, 1) || regexp_replace(l, '[^A-Za-z]', '', 'g')) || g"  # 'mbutte2'
USERS = f"""
CREATE TABLE person_user (id serial PRIMARY KEY, email varchar(254) NOT NULL UNIQUE,
  name varchar(120), nick varchar(60) UNIQUE, locale varchar(32) NOT NULL);
INSERT INTO person_user (email, name, nick, locale)
  SELECT lower(f) || '.' || lower(l) || g || '@mail.example', f || ' ' || l, {NICK}, 'en'
  FROM {PEOPLE};
"""


def test_a_nick_is_a_login_and_a_nick_setting_is_not(make_db, tmp_path: Path) -> None:
    schema = (
        USERS
        + """
CREATE TABLE chat_prefs (id serial PRIMARY KEY, nick_color varchar(7),
  nick_prefix varchar(4));
INSERT INTO chat_prefs (nick_color, nick_prefix)
  SELECT '#' || lpad(to_hex(g * 40503), 6, '0'), '@' FROM generate_series(1, 50) g;
CREATE TABLE irc_channels (id serial PRIMARY KEY, channel text, bot_nick text);
INSERT INTO irc_channels (channel, bot_nick) SELECT '#team-' || g, (ARRAY['opsbot',
  'deploybot', 'alertmanager', 'jenkins'])[1 + g % 4] FROM generate_series(1, 60) g;
"""
    )
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    assert rule_of(text, "public.person_user", "nick") == {
        "strategy": "hash",
        "prefix": "u",
        "unique": True,
    }, text
    for column in ("nick_color", "nick_prefix"):
        assert rule_of(text, "public.chat_prefs", column) == "keep", text
    assert rule_of(text, "public.irc_channels", "bot_nick") == "keep", text  # a bot's
    with psycopg.connect(dsn) as conn:
        nicks = [n for (n,) in conn.execute("SELECT nick FROM person_user")]
        originals = {n for (n,) in conn.execute(f"SELECT {NICK} FROM {PEOPLE}")}
    assert len(set(nicks)) == len(nicks) == 200
    assert not originals & set(nicks), sorted(originals & set(nicks))[:5]
    assert match_name("nickName", "public.profiles") is not None  # `nick_name`, normalized
    assert match_name("max_nick_len", "public.settings") is None
    assert match_name("irc_nick", "public.members") is not None
    assert match_name("bot_nick", "public.irc_channels") is None


ORDERS = """
CREATE TABLE pretixbase_orderposition (id serial PRIMARY KEY,
  secret varchar(64) NOT NULL UNIQUE, web_secret varchar(32) NOT NULL);
INSERT INTO pretixbase_orderposition (secret, web_secret)
  SELECT md5('s' || g), left(md5('w' || g), 32) FROM generate_series(1, 120) g;
CREATE TABLE pretixbase_order (id serial PRIMARY KEY, code varchar(16) NOT NULL,
  web_secret varchar(32) NOT NULL UNIQUE);
INSERT INTO pretixbase_order (code, web_secret)
  SELECT upper(left(md5('c' || g), 5)), md5('o' || g) FROM generate_series(1, 120) g;
CREATE TABLE pretixbase_organizer (id serial PRIMARY KEY, slug varchar(50),
  web_address varchar(200), web_url varchar(200));
INSERT INTO pretixbase_organizer (slug, web_address, web_url)
  SELECT 'org' || g, 'https://org' || g || '.example/', 'https://tickets.example/org' || g
  FROM generate_series(1, 40) g;
"""


def test_a_web_secret_is_a_secret_and_a_web_address_no_street(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, ORDERS)
    table = "public.pretixbase_orderposition"
    assert rule_of(text, table, "secret") == {"strategy": "hash", "unique": True}, text
    assert strategy_of(text, table, "web_secret") == "hash", text
    assert rule_of(text, "public.pretixbase_order", "web_secret") == {
        "strategy": "hash",
        "unique": True,
    }, text
    for column in ("web_address", "web_url"):  # what `web` keeps from other kinds
        assert rule_of(text, "public.pretixbase_organizer", column) == "keep", text
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM pretixbase_orderposition p JOIN generate_series(1, 120) g"
            " ON p.web_secret = left(md5('w' || g), 32)"
        ).fetchone()
    assert kept == (0,)


MAILS = (
    USERS
    + """
CREATE TABLE mail_queuedmail (id serial PRIMARY KEY, "to" varchar(1000),
  subject varchar(200));
INSERT INTO mail_queuedmail ("to", subject)
  SELECT email, 'Your proposal' FROM person_user;
INSERT INTO mail_queuedmail ("to", subject)
  SELECT string_agg(email, ',' ORDER BY id), 'Co-speakers'
  FROM person_user WHERE id <= 40 GROUP BY id % 10;
"""
)


def test_a_list_column_keeps_its_lists_when_it_takes_its_keys_rule(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MAILS)
    rule = rule_of(text, "public.mail_queuedmail", "to")
    assert isinstance(rule, dict) and rule["strategy"] == "email", text
    assert rule.get("lists") is True, text
    assert "address lists" in comment_of(text, "public.mail_queuedmail", "to")
    with psycopg.connect(dsn) as conn:
        emails = {e for (e,) in conn.execute("SELECT email FROM person_user")}
        mails = [t for (t,) in conn.execute('SELECT "to" FROM mail_queuedmail')]
    listed = [t.split(",") for t in mails if "," in t]
    assert len(listed) == 10 and all(len(items) == 4 for items in listed), listed
    # every address, alone or listed, is still a masked user's address: joins hold
    assert all(item in emails for items in listed for item in items), listed[0]
    assert sum(t in emails for t in mails) == 200
    assert not any("mail.example" in t for t in mails)


SUBMISSIONS = """
CREATE TABLE submission_submission (id serial PRIMARY KEY, title varchar(200) NOT NULL,
  anonymised_data jsonb NOT NULL DEFAULT '{}');
INSERT INTO submission_submission (title, anonymised_data)
  SELECT 'Talk ' || g, CASE WHEN g % 10 = 0
    THEN '{"_anonymised": true, "title": "Redacted talk", "notes": ""}'::jsonb
    ELSE '{}'::jsonb END
  FROM generate_series(1, 200) g;
"""


def test_a_document_path_blank_everywhere_is_kept_and_verify_does_not_warn(
    make_db, tmp_path: Path
) -> None:
    """The rule stays (a note written later is masked: the rules outlive the sample),
    and verify knows its path held nothing to mask."""
    dsn, text = generate_then_mask(make_db, tmp_path, SUBMISSIONS)
    rule = rule_of(text, "public.submission_submission", "anonymised_data")
    assert isinstance(rule, dict) and rule["paths"].get("notes") == "lorem", text
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    assert report.findings == [], report.findings
    assert [w.code for w in report.warnings] == [], [w.message for w in report.warnings]
