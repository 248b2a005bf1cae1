"""A table of select options is a field's configuration: no `switch` by field.

Baserow's database_selectoption(field_id, value, color, order) holds the choices of
single-select fields. Read as a key/value table keyed by field_id and judged by the
fields' titles, the options of a 'City' field (Berlin, Paris) became random cities and
those of an 'Address' field (Home, Work) street lines: every row's selection lost its
label. A key/value table of the same fields' row values is still judged per field.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE database_field (id int PRIMARY KEY, name varchar(255) NOT NULL,
    "order" int NOT NULL);
INSERT INTO database_field VALUES (2002, 'Phone type', 1), (2004, 'City', 3),
    (2008, 'Phone', 7), (2010, 'Address', 9);
CREATE TABLE database_selectoption (id int PRIMARY KEY, value varchar(255) NOT NULL,
    color varchar(255) NOT NULL, "order" int NOT NULL,
    field_id int REFERENCES database_field(id));
INSERT INTO database_selectoption VALUES
 (1, 'Mobile', 'blue', 1, 2002), (2, 'Landline', 'red', 2, 2002),
 (7, 'Berlin', 'blue', 1, 2004), (8, 'Paris', 'red', 2, 2004), (9, 'London', 'green', 3, 2004),
 (17, 'Mobile', 'blue', 1, 2008), (18, 'Office', 'red', 2, 2008),
 (21, 'Home', 'blue', 1, 2010), (22, 'Work', 'red', 2, 2010);
CREATE TABLE field_values (id int PRIMARY KEY, field_id int REFERENCES database_field(id),
    value text);
INSERT INTO field_values SELECT i, 2008, format('+49 171 55%s', 10000 + i)
  FROM generate_series(1, 30) i;
"""


def test_select_options_are_kept_and_values_still_switch(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="orig")) as conn:
        conn.execute(SCHEMA)
        before = conn.execute("SELECT * FROM database_selectoption ORDER BY id").fetchall()
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for column in ("value", "color", "order", "field_id"):
        assert rule_of(text, "public.database_selectoption", column) == "keep", text
    assert strategy_of(text, "public.field_values", "value") == "switch", text
    with psycopg.connect(dsn) as conn:
        after = conn.execute("SELECT * FROM database_selectoption ORDER BY id").fetchall()
        phones = conn.execute("SELECT value FROM field_values ORDER BY id").fetchall()
    assert after == before
    assert all("55100" not in v and "5510" not in v for (v,) in phones), phones
