"""`rules init` on columns of composite types: personal fields get a `composite` rule.

A `home_address postal_address` was proposed `keep` with a REVIEW note (every address
reached staging) though rules init masked the same fields inside the audit log's JSON.
Its fields are judged like columns now (composite_rules.py); a money-like
(amount, currency) value is kept, without a note.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE DOMAIN zip_code AS varchar(10) CHECK (length(VALUE) >= 3);
CREATE TYPE postal_address AS (street text, city varchar(60), zip zip_code, country char(2));
CREATE TYPE money_amount AS (amount numeric(12, 2), currency char(3));
CREATE TYPE person AS (name text, email text, home postal_address);
CREATE TABLE contacts (
    id int PRIMARY KEY,
    home_address postal_address,
    balance money_amount,
    partner person,
    kind text
);
INSERT INTO contacts
SELECT g,
       CASE WHEN g % 9 = 0 THEN NULL
            ELSE ROW((array['Main Street', 'Oak Avenue', 'Hauptstraße',
                            'Rue de la Paix'])[g % 4 + 1] || ' ' || g,
                     (array['Springfield', 'Berlin', 'Lyon', 'Leeds'])[g % 4 + 1],
                     lpad((g * 37)::text, 5, '0'), 'US')::postal_address END,
       ROW(g * 3.25, (array['EUR', 'USD', 'GBP'])[g % 3 + 1])::money_amount,
       ROW((array['Anna Schmidt', 'John Miller', 'Marie Dubois', 'Kenji Sato'])[g % 4 + 1]
           || ' ' || (array['Jr.', 'Becker', 'Lee', 'Novak', 'Quinn'])[g % 5 + 1],
           'partner' || g || '@mail.example',
           ROW('Elm Road ' || g, 'Dublin', 'D0' || lpad(g::text, 3, '0'), 'IE')::postal_address
       )::person,
       (array['lead', 'customer'])[g % 2 + 1]
  FROM generate_series(1, 120) g;
"""


def test_composite_columns_get_field_rules_and_a_decoy_is_kept(make_db, tmp_path: Path) -> None:
    """The address's street, city and zip are masked field by field and its country
    kept; a person's name, email and nested address too; the money-like value is kept
    without a note. The masked values fit their types (varchar(60), the zip domain)."""
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    table = "public.contacts"
    address = rule_of(text, table, "home_address")
    assert address["strategy"] == "composite"
    assert set(address["fields"]) == {"street", "city", "zip"}
    assert "REVIEW" not in comment_of(text, table, "home_address")
    assert comment_of(text, table, "home_address").endswith("field country kept")
    partner = rule_of(text, table, "partner")
    assert partner["strategy"] == "composite"
    assert set(partner["fields"]) == {"name", "email", "home"}
    assert partner["fields"]["home"]["strategy"] == "composite"
    assert set(partner["fields"]["home"]["fields"]) == {"street", "city", "zip"}
    assert rule_of(text, table, "balance") == "keep"
    assert comment_of(text, table, "balance") == ""
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(home_address),"
            " count(*) FILTER (WHERE (home_address).street ~ ' [0-9]+$'"
            "  AND split_part((home_address).street, ' ', -1)::int = id),"
            " count(*) FILTER (WHERE (home_address).country = 'US'),"
            " count(*) FILTER (WHERE length((home_address).zip) BETWEEN 3 AND 10),"
            " count(*) FILTER (WHERE (partner).email LIKE 'partner%'),"
            " count(*) FILTER (WHERE ((partner).home).street LIKE 'Elm Road%'),"
            " count(*) FILTER (WHERE ((partner).home).country = 'IE'),"
            " count(*) FILTER (WHERE balance = ROW(id * 3.25,"
            "  (array['EUR', 'USD', 'GBP'])[id % 3 + 1])::money_amount)"
            " FROM contacts"
        ).fetchone()
    assert row == (107, 0, 107, 107, 0, 0, 120, 120)
