"""Tryton's party_contact_mechanism: `type` says what `value` holds, `name` is a label.

The pair (name, value) made `name` the switch's key: first names as cases, every other
label (NULL, one the sample missed) kept its address or number, a Skype name under a
`phone` case kept its letters, and verify counted none of them. The switch is by
`type` now, kinds the sample did not meet are hashed, a phone case hashes what is no
phone number, and verify counts what a `keep` default keeps. A settings table's
(key, value) beside a `type` of storage types stays keyed by `key`, its codes kept.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import yaml

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE party_party (id serial PRIMARY KEY, name varchar, code varchar NOT NULL UNIQUE);
CREATE TABLE party_contact_mechanism (id serial PRIMARY KEY,
  party int NOT NULL REFERENCES party_party, type varchar NOT NULL
  CHECK (type IN ('phone','mobile','fax','email','website','skype','sip','irc','jabber','other')),
  value varchar, value_compact varchar, name varchar, comment text, sequence int);
INSERT INTO party_party (name, code) SELECT 'Person ' || g, 'P' || g
  FROM generate_series(1, 600) g;
INSERT INTO party_contact_mechanism (party, type, value, value_compact, name, sequence)
SELECT g, t, v, lower(v), n, 10 FROM (SELECT g,
    (ARRAY['email','phone','mobile','skype'])[1 + g % 4] AS t,
    CASE g % 4 WHEN 0 THEN 'Anna.Schmidt' || g || '@example.org'
      WHEN 1 THEN CASE WHEN g % 40 = 1 THEN 'anna.schmidt.privat' || g
        ELSE '+49 30 1234' || lpad(g::text, 4, '0') END
      WHEN 2 THEN '0171 55' || lpad(g::text, 5, '0')
      ELSE 'live:anna.schmidt' || g END AS v,
    (ARRAY[NULL, '', 'Support', 'Accounting', 'Anna', 'Bernd', 'Zoe', 'Yusuf', 'Peter',
      'Maria'])[1 + g % 10] || CASE WHEN g % 10 >= 4 THEN (g / 10)::text ELSE '' END AS n
  FROM generate_series(1, 600) g) s;
INSERT INTO party_contact_mechanism (party, type, value, value_compact, name, sequence)
SELECT g, 'website', 'https://anna-schmidt-' || g || '.example.net', NULL, NULL, 20
FROM generate_series(1, 3) g;
CREATE TABLE ir_setting (id serial PRIMARY KEY, company int NOT NULL, key varchar NOT NULL,
  value varchar, type varchar NOT NULL);
INSERT INTO ir_setting (company, key, value, type)
SELECT g / 30, 'module_' || g % 30 || (ARRAY['.enabled', '.code', '.limit'])[1 + g % 3],
  (ARRAY['true', 'ACC-' || (1000 + g % 30), (g % 30 * 10)::text])[1 + g % 3],
  (ARRAY['boolean', 'string', 'integer'])[1 + g % 3]
FROM generate_series(1, 300) g;
INSERT INTO ir_setting (company, key, value, type)
SELECT g, 'admin_email', 'anna.schmidt' || g || '@example.org', 'string'
FROM generate_series(1, 10) g;
ANALYZE;
"""
PERSONAL = r"^(Anna\.Schmidt|\+49 30 1234|0171 55|live:anna\.schmidt|anna\.schmidt|https://anna)"


def test_contacts_switch_on_their_kind_not_their_label(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.party_contact_mechanism", "value")
    assert rule["strategy"] == "switch" and rule["by"] == "type", text
    assert rule["default"] != "keep", text  # a kind the sample did not meet
    assert rule["cases"]["phone"]["default"] == "hash", text  # no phone number: hashed
    assert rule_of(text, "public.party_contact_mechanism", "type") == "keep", text
    assert "          email: email" in text.splitlines(), text  # a case a line
    # the decoy's storage types name no kind of contact: switched by its key
    setting = rule_of(text, "public.ir_setting", "value")
    assert setting["by"] == "key" and setting["cases"]["admin_email"] == "email", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE value ~ %s OR value_compact ~* %s),"
            " count(*) FILTER (WHERE value LIKE '%%schmidt%%' OR value LIKE '%%Schmidt%%'),"
            " count(*) FILTER (WHERE type = 'email' AND value LIKE '%%@%%'),"
            " count(*) FILTER (WHERE type = 'mobile' AND value ~ '^0[0-9 ]+$'),"
            " array_agg(DISTINCT type ORDER BY type) FROM party_contact_mechanism",
            (PERSONAL, PERSONAL),
        ).fetchone()
        settings = conn.execute(
            "SELECT count(*) FILTER (WHERE value = (ARRAY['true', 'ACC-' || (1000 + id % 30),"
            " (id % 30 * 10)::text])[1 + id % 3] AND key LIKE 'module_%'"
            " AND type = (ARRAY['boolean', 'string', 'integer'])[1 + id % 3])"
            " FROM ir_setting WHERE key <> 'admin_email'"
        ).fetchone()
    assert row == (0, 0, 150, 150, ["email", "mobile", "phone", "skype", "website"]), text
    assert settings == (300,), text  # the decoy's codes, flags and numbers unchanged
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


def test_verify_counts_contacts_a_keep_default_keeps(make_db, tmp_path: Path) -> None:
    """The rule rules init wrote before: switched by the label, the others kept. Each
    address and number kept under a label no case lists is a survivor verify reports."""
    from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report

    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
        database = conn.execute("SELECT current_database()").fetchone()
    assert database is not None
    columns = {
        "id": "keep",
        "party": "keep",
        "type": "keep",
        "value": {
            "strategy": "switch",
            "by": "name",
            "cases": {"Support": "phone", "Accounting": "email"},
        },
        "value_compact": "hash",
        "name": "keep",
        "comment": "lorem",
        "sequence": "keep",
    }
    rules = {
        "version": 1,
        "database": database[0],
        "defaults": {"unlisted_columns": "keep", "seed_env": "DBREFRESH_SEED"},
        "tables": {"public.party_contact_mechanism": {"columns": columns}},
    }
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    mark_clone(dsn)
    anonymize(dsn, [path], seed="rules-init", progress=False)
    report = verify_report(dsn, [path], seed="rules-init")
    leaks = [f for f in report.findings if f.code == "leak"]
    assert len(leaks) == 1 and "party_contact_mechanism.value:" in leaks[0].message, leaks
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM party_contact_mechanism WHERE name IS DISTINCT FROM 'Support'"
            " AND name IS DISTINCT FROM 'Accounting' AND (value LIKE '%%@%%'"
            " OR value ~ '^(\\+|0)')"
        ).fetchone()
    # every address and number the default kept (the sample holds all 603 rows)
    assert kept is not None and kept[0] > 300
    assert report.leaks["public.party_contact_mechanism.value"] == kept[0], report.leaks


def test_a_services_own_sender_a_keep_default_keeps_is_no_survivor(make_db, tmp_path: Path) -> None:
    """A settings table's noreply@ or support@ address is no one's: a hand-written
    `default: keep` that keeps it passes verify; a person's address beside it does not."""
    from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report

    def leaks(cases: dict[str, str]) -> dict[str, int]:
        dsn = make_db(prefix="rinit")
        with psycopg.connect(dsn) as conn:
            conn.execute(
                "CREATE TABLE settings (id serial PRIMARY KEY, key text NOT NULL, value text);"
                "INSERT INTO settings (key, value) VALUES ('mail.from', 'noreply@shop.example'),"
                " ('mail.reply_to', 'Support+orders@shop.example'),"
                " ('mail.bounce', 'bounces@shop.example'),"
                " ('owner', 'anna.schmidt@example.org'), ('theme', 'dark')"
            )
            database = conn.execute("SELECT current_database()").fetchone()
        assert database is not None
        rules = {
            "version": 1,
            "database": database[0],
            "defaults": {"unlisted_columns": "keep", "seed_env": "DBREFRESH_SEED"},
            "tables": {
                "public.settings": {
                    "columns": {"value": {"strategy": "switch", "by": "key", "cases": cases}}
                }
            },
        }
        path = tmp_path / "rules.yaml"
        path.write_text(yaml.safe_dump(rules), encoding="utf-8")
        mark_clone(dsn)
        anonymize(dsn, [path], seed="rules-init", progress=False)
        return verify_report(dsn, [path], seed="rules-init").leaks

    assert not any(leaks({"owner": "email"}).values())  # the owner masked, senders kept
    assert leaks({"theme": "keep"}) == {"public.settings.value": 1}  # the owner kept
