"""A `name` beside an email address in one JSON object is the person's: Mautic's form
results {"email": ..., "name": "Ann Schmidt"} in a table not about people kept every
name (`name` alone names anything: a product, a profile field's label)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

FORMS = """
CREATE TABLE form_results (id bigserial PRIMARY KEY, form_id int, results jsonb,
  options jsonb);
INSERT INTO form_results (form_id, results, options)
  SELECT i % 3, jsonb_build_object('email', 'user' || i || '@mail.example', 'name', n,
      'contact', jsonb_build_object('phone', '+49 30 ' || (1000000 + i), 'name', n)),
    jsonb_build_object('name', (ARRAY['Newsletter', 'Contact us', 'Trial'])[1 + i % 3])
  FROM generate_series(1, 400) i,
    LATERAL (SELECT (ARRAY['Ann Schmidt', 'John Smith', 'Jörg Müller', 'Maria Garcia',
      'Peter Brown', 'Lena Fischer', 'Tom Becker'])[1 + i % 7] || substr('', i) AS n) p;
ANALYZE;
"""


def test_a_name_beside_a_contact_is_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, FORMS)
    paths = rule_of(text, "public.form_results", "results")["paths"]
    assert {"name", "contact.name"} <= set(paths), text
    assert rule_of(text, "public.form_results", "options") == "keep", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE results::text ~ 'Schmidt|Smith|Müller|Garcia'),
                 count(*) FILTER (WHERE options->>'name' IN ('Newsletter', 'Contact us', 'Trial'))
               FROM form_results"""
        ).fetchone()
    assert row == (0, 400)
