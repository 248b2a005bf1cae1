"""Apache Fineract's m_client.display_name is firstname [middlename] lastname, the
middle name NULL in most rows: with some present, init proposed an independent
`full_name` and no display name matched its parts after masking; `middlename` (one
word) was kept, its Kenyan names unknown to the dictionaries. Now the middle name is a
first name and the display name a template over the masked parts with the middle name
optional. m_staff.display_name ('Braun, Jessica', unique) keeps its hash: masked name
parts can collide, and a note says so."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE m_staff (id bigint PRIMARY KEY, firstname varchar(50), lastname varchar(50),
  display_name varchar(102) NOT NULL UNIQUE);
INSERT INTO m_staff SELECT g, (ARRAY['Jessica','Brian','Nancy','Kevin','Laura'])[1+g%5],
  (ARRAY['Braun','Ortiz','Ramsey','Kim','Vega','Hale','Ng','Ford'])[1+g%8], 'x'||g
  FROM generate_series(1,10) g;
UPDATE m_staff SET display_name = lastname || ', ' || firstname
  || CASE WHEN id > 8 THEN ' ' || id ELSE '' END;
CREATE TABLE m_client (id bigint PRIMARY KEY, firstname varchar(50), middlename varchar(50),
  lastname varchar(50), display_name varchar(100) NOT NULL);
INSERT INTO m_client SELECT g,
  (ARRAY['James','Mary','John','Patricia','Robert','Linda','Michael','Susan'])[1+g%8],
  CASE WHEN g%4=0 THEN (ARRAY['Wanjiru','Achieng','Kiprotich','Otieno'])[1+(g/4)%4] END,
  (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Wilson'])[1+g%9],
  'x' FROM generate_series(1,100) g;
UPDATE m_client SET display_name = firstname || ' ' || coalesce(middlename || ' ', '') || lastname;
"""

COMPOSED = (
    "SELECT count(*) FILTER (WHERE display_name = firstname || ' ' ||"
    " coalesce(middlename || ' ', '') || lastname), count(*) FROM m_client"
)


def test_a_display_name_with_an_optional_middle_name_is_composed_from_its_parts(
    make_db, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.m_client", "middlename") == "first_name"
    assert rule_of(text, "public.m_client", "display_name") == {
        "strategy": "template",
        "template": "{first_name:firstname} {first_name:middlename|space}{last_name:lastname}",
    }
    assert rule_of(text, "public.m_staff", "display_name") == {"strategy": "hash", "unique": True}
    assert "masked name parts can collide" in comment_of(text, "public.m_staff", "display_name")
    with psycopg.connect(dsn) as conn:
        assert conn.execute(COMPOSED).fetchone() == (100, 100)
        middles = {r[0] for r in conn.execute("SELECT middlename FROM m_client")}
        assert None in middles and not middles & {"Wanjiru", "Achieng", "Kiprotich", "Otieno"}
        spaced = conn.execute("SELECT count(*) FROM m_client WHERE display_name LIKE '%  %'")
        assert spaced.fetchone() == (0,)
