"""A JSON path's name said one kind, its values plainly another: Zulip's
scheduled_email.data -> from_address ('noreply@...') was proposed `street`, and
masking wrote '5, rue Vincent' where the application sends mail from."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules.json_paths import find_paths

from .helpers import generate_then_mask, rule_of


def test_a_path_named_for_an_address_holding_emails_is_an_email() -> None:
    docs = ['{"from_address": "noreply@acme.zulipchat.com"}'] * 5
    assert [(f.path, f.kind) for f in find_paths(docs, "public.scheduled_email")] == [
        ("from_address", "email")
    ]
    assert "but 5 of 5 sampled values look like email addresses" in (
        find_paths(docs, "public.scheduled_email")[0].reason
    )


@pytest.mark.parametrize("col_type", ["text", "jsonb"])
def test_values_beat_the_key_name_in_documents(make_db, tmp_path: Path, col_type: str) -> None:
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        f"CREATE TABLE scheduled_email (id int PRIMARY KEY, data {col_type} NOT NULL);"
        "INSERT INTO scheduled_email SELECT g, json_build_object("
        "'from_address', 'noreply@acme.zulipchat.com', 'context',"
        f" json_build_object('email', 'user' || g || '@mail.example'))::{col_type}"
        " FROM generate_series(1, 50) g",
    )
    paths = rule_of(text, "public.scheduled_email", "data")["paths"]
    rule = paths["from_address"]
    assert (rule["strategy"] if isinstance(rule, dict) else rule) == "email"
    with psycopg.connect(dsn) as conn:
        senders = conn.execute(
            "SELECT DISTINCT data::jsonb ->> 'from_address' FROM scheduled_email"
        ).fetchall()
    assert len(senders) == 1  # one sender, still one after masking
    assert "@" in senders[0][0] and "zulipchat" not in senders[0][0]
