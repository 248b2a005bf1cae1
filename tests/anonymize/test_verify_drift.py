"""verify warns of kept columns whose values now look personal (anonymize/verify_drift.py).

Found on LimeSurvey: a survey's response table was empty when `rules init` ran, so
every column got a bare `keep`; 50 responses with names, emails and phones inserted
later passed anonymize and verify with "0 leak(s)". The schema is modelled on
LimeSurvey's (users, surveys, a survey's response table, its participants).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg
import pytest
from faker import Faker

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.rules.init import EMPTY_NOTE, generate_rules
from tests.anonymize.helpers import run_cli

SCHEMA = """
CREATE TABLE lime_users (uid serial PRIMARY KEY, users_name varchar(64) NOT NULL UNIQUE,
    password text NOT NULL, full_name varchar(50) NOT NULL, email varchar(192),
    lang varchar(20), created timestamp);
CREATE TABLE lime_surveys (sid int PRIMARY KEY, owner_id int NOT NULL REFERENCES lime_users,
    admin varchar(50), adminemail text, language varchar(50), active varchar(1) NOT NULL,
    datecreated date, attributedescriptions text);
CREATE TABLE lime_answers (aid serial PRIMARY KEY, qid int NOT NULL, code varchar(5) NOT NULL,
    sortorder int NOT NULL);
CREATE TABLE lime_answer_l10ns (id serial PRIMARY KEY, aid int NOT NULL REFERENCES lime_answers,
    answer text NOT NULL, language varchar(20) NOT NULL);
-- a survey's responses: one column per question, named survey X group X question
CREATE TABLE lime_survey_565324 (id serial PRIMARY KEY, token varchar(36),
    submitdate timestamp, lastpage int, startlanguage varchar(20) NOT NULL, seed varchar(31),
    "565324X1X1" text, "565324X1X2" text, "565324X1X3" varchar(5), "565324X1X4" text);
"""


def _fill_app(conn: psycopg.Connection, fake: Faker) -> None:
    for uid in range(1, 21):
        first, last = fake.first_name(), fake.last_name()
        conn.execute(
            "INSERT INTO lime_users (users_name, password, full_name, email, lang, created) "
            "VALUES (%s, %s, %s, %s, 'en', now())",
            (f"{first[0]}{last}{uid}".lower(), fake.sha256(), f"{first} {last}", fake.email()),
        )
    conn.execute(
        "INSERT INTO lime_surveys SELECT 565324, 1, %s, %s, 'en', 'Y', current_date, "
        '\'{"attribute_1": {"description": "Department"}}\'',
        (fake.name(), fake.email()),
    )
    for code, answer in [("A1", "Yes"), ("A2", "No"), ("A3", "Not sure"), ("A4", "Other")]:
        aid = conn.execute(
            "INSERT INTO lime_answers (qid, code, sortorder) VALUES (1, %s, 1) RETURNING aid",
            (code,),
        ).fetchone()
        conn.execute(
            "INSERT INTO lime_answer_l10ns (aid, answer, language) VALUES (%s, %s, 'en')",
            (aid[0] if aid else None, answer),
        )


def _respond(conn: psycopg.Connection, fake: Faker, rows: int = 50) -> None:
    """Responses as a contact-form survey collects them: name, email, phone, a choice."""
    for _ in range(rows):
        conn.execute(
            "INSERT INTO lime_survey_565324 (token, submitdate, lastpage, startlanguage, seed, "
            '"565324X1X1", "565324X1X2", "565324X1X3", "565324X1X4") '
            "VALUES (%s, now(), 1, 'en', %s, %s, %s, 'A1', %s)",
            (
                fake.uuid4()[:15],
                str(fake.random_int(1, 10**9)),
                fake.name(),
                fake.email(),
                fake.phone_number(),
            ),
        )


def _generated(dsn: str, path: Path) -> str:
    with psycopg.connect(dsn) as conn:
        text = generate_rules(conn)
    path.write_text(text)
    return text


def _drift(dsn: str, rules: Path) -> list[str]:
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    report = verify_report(dsn, [rules], seed="s")
    assert not report.findings, report.findings
    return [w.location.key or "" for w in report.warnings if w.code == "kept-looks-personal"]


def test_responses_inserted_after_rules_init_are_a_warning(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = Faker("en_US")
    fake.seed_instance(7)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        _fill_app(conn, fake)
    rules = tmp_path / "lime.yaml"
    text = _generated(dsn, rules)
    # the empty table's text columns say they were judged by name only
    line = next(x for x in text.splitlines() if x.strip().startswith("565324X1X1: keep"))
    assert EMPTY_NOTE in line
    assert EMPTY_NOTE not in next(x for x in text.splitlines() if "full_name:" in x)

    with psycopg.connect(dsn, autocommit=True) as conn:
        _respond(conn, fake)
        conn.execute("ANALYZE")
    assert _drift(dsn, rules) == [
        "public.lime_survey_565324.565324X1X1",
        "public.lime_survey_565324.565324X1X2",
        "public.lime_survey_565324.565324X1X4",
    ]

    said = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    assert said.code == 0, said.out + said.err  # a warning: the exit code is unchanged
    number = 1 + text.splitlines().index(line)
    assert re.search(
        rf"warning: {re.escape(str(rules))}:{number}: public\.lime_survey_565324\.565324X1X1: "
        r"kept, but its values now look personal: rules init would propose full_name "
        r"\(\d+ of \d+ sampled values",
        said.out,
    ), said.out
    out = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert out.code == 0, out.out + out.err
    warnings = json.loads(out.out)["warnings"]
    email = next(w for w in warnings if w["location"]["key"].endswith("565324X1X2"))
    assert email["code"] == "kept-looks-personal" and email["severity"] == "warning"
    assert email["location"]["file"] == str(rules) and email["location"]["line"] == number + 1


def test_a_fresh_rules_file_warns_of_nothing_until_a_kept_column_changes_kind(
    make_db, tmp_path: Path
) -> None:
    fake = Faker("en_US")
    fake.seed_instance(11)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        _fill_app(conn, fake)
        _respond(conn, fake)
        conn.execute("ANALYZE")
    rules = tmp_path / "lime.yaml"
    text = _generated(dsn, rules)
    assert EMPTY_NOTE not in text
    assert _drift(dsn, rules) == []
    # answer options hold labels at rules init; later, someone's contact as an option
    with psycopg.connect(dsn, autocommit=True) as conn:
        for aid in range(1, 5):
            conn.execute(
                "UPDATE lime_answer_l10ns SET answer = %s WHERE aid = %s", (fake.email(), aid)
            )
    [warning] = verify_report(dsn, [rules], seed="s").warnings
    assert warning.location.key == "public.lime_answer_l10ns.answer"
    assert "rules init would propose email" in warning.message


def test_kept_tables_warn_at_their_rule_and_truncated_ones_not(make_db, tmp_path: Path) -> None:
    """A whole table kept (`keep`) is judged like its kept columns; a truncated one,
    and a masked column, never."""
    fake = Faker("en_US")
    fake.seed_instance(5)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE contacts (id int PRIMARY KEY, who text, note text);"
            "CREATE TABLE callbacks (id int PRIMARY KEY, who text, note text);"
        )
        for table in ("contacts", "callbacks"):
            for i in range(40):
                conn.execute(
                    f"INSERT INTO {table} VALUES (%s, %s, %s)", (i, fake.name(), fake.email())
                )
    rules = tmp_path / "r.yaml"
    rules.write_text("version: 1\ntables:\n  public.contacts: keep\n  public.callbacks: truncate\n")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    report = verify_report(dsn, [rules], seed="s")
    assert [(w.location.key, w.location.line) for w in report.warnings] == [
        ("public.contacts.note", 3),
        ("public.contacts.who", 3),
    ]
    rules.write_text(
        "version: 1\ntables:\n  public.contacts:\n    columns:\n      id: keep\n"
        "      who: full_name\n      note: keep\n  public.callbacks: truncate\n"
    )
    with psycopg.connect(dsn, autocommit=True) as conn:  # a clone again, masked anew
        conn.execute("DROP SCHEMA dbrefresh CASCADE")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    report = verify_report(dsn, [rules], seed="s")
    assert [(w.location.key, w.location.line) for w in report.warnings] == [
        ("public.contacts.note", 7)
    ]


# A helpdesk's agents: their work addresses and names are on the company's website, so
# the team keeps them after review; a customer's address is personal all the same.
AGENTS = """
CREATE TABLE agents (id int PRIMARY KEY, email text NOT NULL, display_name text NOT NULL,
    customer_email text);
"""


def _agents_rules(email: str, display_name: str) -> str:
    return (
        "version: 1\ntables:\n  public.agents:\n    columns:\n      id: keep\n"
        f"      email: {email}\n      display_name: {display_name}\n"
        "      customer_email: {strategy: email}\n"
    )


def _masked_anew(dsn: str, rules: Path) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:  # a clone again, masked anew
        conn.execute("DROP SCHEMA IF EXISTS dbrefresh CASCADE")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)


def test_a_kept_column_reviewed_in_its_rule_is_not_warned_of(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`{strategy: keep, reviewed: "why"}` acknowledges the warning: warned of every
    night, a column kept on purpose taught people to pass over verify's warnings."""
    fake = Faker("en_US")
    fake.seed_instance(3)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(AGENTS)
        for i in range(60):
            first, last = fake.first_name(), fake.last_name()
            conn.execute(
                "INSERT INTO agents VALUES (%s, %s, %s, %s)",
                (i, f"{first}.{last}{i}@helpdesk.example".lower(), f"{first} {last}", fake.email()),
            )
        conn.execute("ANALYZE")
    rules = tmp_path / "helpdesk.yaml"
    rules.write_text(_agents_rules("keep", "keep"))
    _masked_anew(dsn, rules)
    said = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    assert said.code == 0, said.out + said.err
    assert f"warning: {rules}:6: public.agents.email: kept, but its values now look " in said.out
    assert f"warning: {rules}:7: public.agents.display_name: kept" in said.out
    assert 'reviewed: "..."' in said.out  # the hint says how to acknowledge it
    assert "reviewed (not judged" not in said.out

    # the email reviewed: its warning goes, the name's stays
    reason = '{strategy: keep, reviewed: "agents\' work addresses, public on the website"}'
    rules.write_text(_agents_rules(reason, "keep"))
    assert run_cli(capsys, "plan", str(rules), "--dsn", dsn).code == 0
    checked = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    assert checked.code == 0, checked.out + checked.err
    _masked_anew(dsn, rules)
    report = verify_report(dsn, [rules], seed="s")
    assert [w.location.key for w in report.warnings] == ["public.agents.display_name"]
    assert report.kept_reviewed == 1

    # both reviewed: verify says what it says without findings, and how many it passed
    rules.write_text(_agents_rules(reason, '{strategy: keep, reviewed: "names on the website"}'))
    _masked_anew(dsn, rules)
    said = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    assert said.code == 0, said.out + said.err
    assert "warning" not in said.out + said.err
    assert "0 leak(s), 2 kept column(s) reviewed (not judged for personal values)" in said.out
    out = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert out.code == 0, out.out + out.err
    verdict = json.loads(out.out)
    assert verdict["ok"] and verdict["warnings"] == [] and verdict["kept_reviewed"] == 2


@pytest.mark.parametrize("reason", ['""', '"  "', "null", "[]"])
def test_a_review_without_a_reason_is_refused_at_its_line(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], reason: str
) -> None:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(AGENTS)
    rules = tmp_path / "helpdesk.yaml"
    rules.write_text(_agents_rules(f"\n        strategy: keep\n        reviewed: {reason}", "keep"))
    for args in (["rules", "check", str(rules)], ["rules", "check", str(rules), "--dsn", dsn]):
        said = run_cli(capsys, *args)
        assert said.code == 2, said.out + said.err
        assert re.search(
            rf"{re.escape(str(rules))}:8: public\.agents\.email\.reviewed: `reviewed` needs the "
            "reason this kept column identifies no one",
            said.err,
        ), said.err
    said = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    assert said.code == 2 and f"{rules}:8:" in said.out + said.err


def test_verify_tells_of_the_kept_columns_it_judges(make_db, tmp_path: Path) -> None:
    """The judgement of kept columns takes seconds on a big database: the progress
    display hears of it as of verify's other checks, its count continuing theirs."""
    fake = Faker("en_US")
    fake.seed_instance(13)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        _fill_app(conn, fake)
        _respond(conn, fake)
    rules = tmp_path / "lime.yaml"
    _generated(dsn, rules)
    _masked_anew(dsn, rules)
    heard: list[tuple[str, int, int]] = []
    verify_report(dsn, [rules], seed="s", workers=2, on_check=lambda *a: heard.append(a))
    kept = [(i, h) for i, h in enumerate(heard) if h[0].startswith("kept columns of ")]
    assert kept, heard
    first = kept[0][0]
    planned = heard[first - 1][2]  # the plan's checks, all told before
    assert heard[first - 1][1] == planned
    assert all(i > first - 1 for i, _ in kept) and len(kept) == len(heard) - first
    # each group told as it starts and ends; the count goes on from the plan's
    assert {total for _, (_, _, total) in kept} == {heard[-1][2]} and heard[-1][2] > planned
    assert [done for _, done, _ in heard] == sorted(done for _, done, _ in heard)
    assert heard[-1][1] == heard[-1][2] and len(kept) == 2 * (heard[-1][2] - planned)
