"""Whole names written surname first or with an initial: a survey's answers 'Schuster,
Robert' (taken for a list of credits), 'SCHUSTER Robert' (a 'too few' note) and 'R.
Schuster' were kept in every row when no other column held the names. They get
`full_name` now, like 'Robert Schuster'; lists of several people stay lists."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import pii_values

from .helpers import generate_then_mask, strategy_of


@pytest.mark.parametrize(
    "value",
    ["Schuster, Robert", "SCHUSTER Robert", "R. Schuster", "J. R. Smith", "Weber, Anna Maria"],
)
def test_name_forms_are_full_names(value: str) -> None:
    assert pii_values.is_full_name(value)


@pytest.mark.parametrize(
    "value", ["Smith, Jones", "U. S. Army", "St. Louis", "NASA Robert", "Jagger & Richards"]
)
def test_other_forms_are_not(value: str) -> None:
    assert not pii_values.is_full_name(value)


SURVEY = """
CREATE TABLE lime_survey_666666 (id serial PRIMARY KEY, "666666X1X2" text, "666666X1X3" text,
  "666666X1X5" text);
INSERT INTO lime_survey_666666 ("666666X1X2", "666666X1X3", "666666X1X5")
SELECT l || ', ' || f, upper(l) || ' ' || f, left(f, 1) || '. ' || l
FROM (SELECT g, (ARRAY['Robert','Anna','Kristina','Thomas','Julia','Michael','Sarah','Peter',
  'Laura','David','Maria','Jan'])[1 + g % 12] f,
  (ARRAY['Schuster','Watson','Schmidt','Kowalski','Meyer','Johnson','Fischer','Weber','Wagner',
  'Becker','Hoffmann','Miller','Taylor'])[1 + g % 13] l
  FROM generate_series(1, 200) g) s;
ANALYZE;
"""


def test_opaque_columns_of_name_forms_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SURVEY)
    for column in ("666666X1X2", "666666X1X3", "666666X1X5"):
        assert strategy_of(text, "public.lime_survey_666666", column) == "full_name", text
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            """SELECT count(*) FROM lime_survey_666666
               WHERE "666666X1X2" ~ '^(Schuster|Watson|Kowalski), '
                  OR "666666X1X3" ~ '^(SCHUSTER|WATSON|KOWALSKI) '
                  OR "666666X1X5" ~ '^[A-Z]\\. (Schuster|Watson|Kowalski)$'"""
        ).fetchone()
    assert left == (0,)
