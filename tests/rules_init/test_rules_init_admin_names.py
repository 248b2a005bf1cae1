"""LimeSurvey's lime_surveys.admin (the survey administrator's name) was kept on an
install with one survey, the sample too small to count as names, while `adminemail`
beside it was masked. An `admin` column of capitalised full names beside a masked
`<x>email` column is `full_name` now; an `admin` flag or login, or names with no email
beside them, stay kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE lime_surveys (sid int PRIMARY KEY, owner_id int NOT NULL, admin varchar(50),
  active varchar(1) NOT NULL DEFAULT 'N', adminemail varchar(254), language varchar(50));
INSERT INTO lime_surveys VALUES
  (123456, 1, 'Jane Whitfield', 'Y', 'jane.whitfield@corp.example.net', 'en');
CREATE TABLE groups (id int PRIMARY KEY, admin text, contact_email text);
INSERT INTO groups VALUES (1, 'Main Office', 'office@corp.example.net');
CREATE TABLE servers (id int PRIMARY KEY, admin text, note text);
INSERT INTO servers VALUES (1, 'Jane Whitfield', 'rack 4');
CREATE TABLE accounts (id int PRIMARY KEY, admin varchar(8), email text);
INSERT INTO accounts VALUES (1, 'Y', 'paul.martin@corp.example.net');
"""


def test_admin_name_beside_admin_email(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.lime_surveys", "admin") == "full_name", text
    assert strategy_of(text, "public.groups", "admin") == "keep", text  # no person's name
    assert strategy_of(text, "public.servers", "admin") == "keep", text  # no email beside
    assert strategy_of(text, "public.accounts", "admin") == "keep", text  # a flag
    with psycopg.connect(dsn) as conn:
        admin = conn.execute("SELECT admin FROM lime_surveys").fetchone()[0]
        kept = conn.execute(
            "SELECT (SELECT admin FROM servers), (SELECT admin FROM accounts)"
        ).fetchone()
    assert admin != "Jane Whitfield" and len(admin.split()) >= 2, admin
    assert kept == ("Jane Whitfield", "Y")
