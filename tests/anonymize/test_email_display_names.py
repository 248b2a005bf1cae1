"""An address written with a display name ('"Ann Lee" <ann.lee2@corp.example>', Odoo's
mail_message.email_from) masks exactly as the bare address (res_partner's
email_normalized), so the application still matches one to the other; the display
name is replaced too, and nothing of the original survives."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from tests.anonymize.helpers import db_with_rules, mask_and_verify

NAMES = ["Ann Lee", "Bruno Keller", "Chloe Martin", "Dario Rossi", "Eva Novak", "Femke Jansen"]
SCHEMA = """
CREATE TABLE res_partner (id int PRIMARY KEY, email_normalized varchar(255) {unique});
CREATE TABLE mail_message (id int PRIMARY KEY, author_id int, email_from varchar(255) {unique});
INSERT INTO res_partner SELECT i, lower(replace(n, ' ', '.')) || i || '@corp.example'
  FROM unnest({names}) WITH ORDINALITY AS x(n, i);
INSERT INTO mail_message SELECT i, i, CASE WHEN mod(i, 2) = 0
    THEN '"' || n || '" <' || lower(replace(n, ' ', '.')) || i || '@corp.example>'
    ELSE n || ' <' || lower(replace(n, ' ', '.')) || i || '@corp.example>' END
  FROM unnest({names}) WITH ORDINALITY AS x(n, i);
"""
RULES = """version: 1
tables:
  public.res_partner:
    columns:
      id: keep
      email_normalized: {{strategy: email{unique}}}
  public.mail_message:
    columns:
      id: keep
      author_id: keep
      email_from: {{strategy: email{unique}}}
"""
FORM = re.compile(r'"([^"]+)" <([^<>]+)>')


@pytest.mark.parametrize("unique", [False, True])
def test_a_display_name_form_masks_its_address_like_the_bare_one(
    make_db, tmp_path: Path, unique: bool
) -> None:
    names = "ARRAY[" + ", ".join(f"'{n}'" for n in NAMES) + "]"
    schema = SCHEMA.format(unique="UNIQUE" if unique else "", names=names)
    rules_text = RULES.format(unique=", unique: true" if unique else "")
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "mail.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == [], [f.render() for f in report.findings]
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT p.email_normalized, m.email_from FROM mail_message m"
            " JOIN res_partner p ON p.id = m.author_id ORDER BY m.id"
        ).fetchall()
    assert len(rows) == len(NAMES)
    for (normalized, from_), original in zip(rows, NAMES, strict=True):
        shown = FORM.fullmatch(from_)
        assert shown, from_
        assert shown.group(2) == normalized  # the join Odoo makes still holds
        assert shown.group(1) != original
        text = f"{normalized} {from_}".lower()
        for word in original.lower().split():
            assert word not in text, (word, from_)
    assert "corp.example" not in " ".join(f for _, f in rows)
