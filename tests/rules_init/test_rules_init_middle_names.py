"""A column named for a middle name is a first name by its name, whatever its values.

Fineract's m_client.middlename held 'Wanjiru', 'Achieng', 'Kiprotich', 'Otieno': no
first name of the dictionaries, so the column was kept and every client's middle name
reached staging (only `middle_name` was named). `middlename`, `middle_names`,
`middlenames` are now first names by name, as `firstname` is.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import pii

from .helpers import generate_then_mask, rule_of

MIDDLE = "ARRAY['Wanjiru','Achieng','Kiprotich','Otieno','Njeri','Chebet']"
SCHEMA = f"""
CREATE TABLE m_client (id bigint PRIMARY KEY, firstname varchar(50),
    middlename varchar(50), lastname varchar(50));
INSERT INTO m_client SELECT g, (ARRAY['James','Mary','John','Patricia'])[1 + g % 4],
  CASE WHEN g % 4 = 0 THEN ({MIDDLE})[1 + (g / 4) % 6] END,
  (ARRAY['Smith','Johnson','Williams','Brown'])[1 + g % 4] FROM generate_series(1, 100) g;
CREATE TABLE patient (id int PRIMARY KEY, middle_names text, middlenames text, status text);
INSERT INTO patient SELECT g, ({MIDDLE})[1 + g % 6], ({MIDDLE})[1 + (g + 1) % 6], 'active'
  FROM generate_series(1, 30) g;
"""


def test_middle_names_are_masked_by_their_name(make_db, tmp_path: Path) -> None:
    for column in ("middlename", "middle_name", "middle_names", "middlenames", "MiddleName"):
        found = pii.match_name(column, "public.m_client")
        assert found is not None and found.kind == "first_name", column
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.m_client", "middlename") == "first_name", text
    assert rule_of(text, "public.patient", "middle_names") == "first_name", text
    assert rule_of(text, "public.patient", "middlenames") == "first_name", text
    assert rule_of(text, "public.patient", "status") == "keep", text
    originals = "('Wanjiru','Achieng','Kiprotich','Otieno','Njeri','Chebet')"
    with psycopg.connect(dsn) as conn:
        left, present = conn.execute(
            f"""SELECT count(*) FILTER (WHERE middlename IN {originals}),
                count(middlename) FROM m_client"""
        ).fetchone()
        kept = conn.execute(
            f"""SELECT count(*) FILTER (WHERE middle_names IN {originals}
                OR middlenames IN {originals}), min(status) FROM patient"""
        ).fetchone()
    assert (left, present) == (0, 25)  # masked, the NULLs still NULL
    assert kept == (0, "active")
