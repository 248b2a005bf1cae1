"""A token kept as text in one table and as uuid in another: Saleor's
`order_order.checkout_token varchar(36)` was hashed by its name while
`checkout_checkout.token uuid` (the key) was kept, and the join
`checkout.token::text = order.checkout_token` went from 30 of 30 rows to 0, hiding
nothing. Now a key's text copy is kept alike with a note; a plain uuid column and its
text copy both get `uuid`, which masks them equal."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE checkout_checkout (token uuid PRIMARY KEY, email varchar(254));
INSERT INTO checkout_checkout SELECT gen_random_uuid(), 'buyer' || g || '@gmail.com'
  FROM generate_series(1, 30) g;
CREATE TABLE order_order (id serial PRIMARY KEY, checkout_token varchar(36) NOT NULL);
INSERT INTO order_order (checkout_token) SELECT token::text FROM checkout_checkout;
CREATE TABLE invite (id serial PRIMARY KEY, secret_token uuid NOT NULL);
INSERT INTO invite (secret_token) SELECT gen_random_uuid() FROM generate_series(1, 30);
CREATE TABLE invite_log (id serial PRIMARY KEY, invite_token text);
INSERT INTO invite_log (invite_token) SELECT secret_token::text FROM invite;
ANALYZE;
"""


def test_a_text_copy_of_a_uuid_column_is_masked_alike(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.order_order", "checkout_token") == "keep", text
    assert "REVIEW: a copy of public.checkout_checkout.token" in comment_of(
        text, "public.order_order", "checkout_token"
    )
    assert strategy_of(text, "public.invite", "secret_token") == "uuid", text
    assert strategy_of(text, "public.invite_log", "invite_token") == "uuid", text
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            """SELECT (SELECT count(*) FROM order_order o
                       JOIN checkout_checkout c ON c.token::text = o.checkout_token),
                      (SELECT count(*) FROM invite_log l
                       JOIN invite i ON i.secret_token::text = l.invite_token)"""
        ).fetchone()
    assert joined == (30, 30)
