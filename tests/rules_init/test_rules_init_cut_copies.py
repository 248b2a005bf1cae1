"""A copy too short for the masked column's rule is not called joined.

authors.name (text, unique) is hashed to 32 hex characters; books.narrator, a
varchar(30) holding authors' names, got the same rule, cut to 30 characters by the
column, with the note "masked alike, so equal values still agree": 0 of 200 joined.
It is still masked, with a REVIEW note saying the join is lost; books.editor (text)
joins as before.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules.fitting import masks_alike
from dbrefresh.strategies.base import ColumnContext, ColumnType
from dbrefresh.strategies.registry import get

from .helpers import comment_of, generate_then_mask, rule_of

AUTHORS = (
    "ARRAY['Jennifer Lopez Hart','Michael Brown','Sarah Connor','David Miller',"
    "'Laura Palmer','James Holden','Naomi Nagata','Amos Burton','Alex Kamal',"
    "'Chrisjen Avasarala']"
)
BOOKS = f"""
CREATE TABLE authors (id int PRIMARY KEY, name text UNIQUE);
INSERT INTO authors SELECT g, ({AUTHORS})[g] FROM generate_series(1, 10) g;
CREATE TABLE books (id int PRIMARY KEY, narrator varchar(30), editor text);
INSERT INTO books SELECT g, ({AUTHORS})[1 + (g * 7) % 10], ({AUTHORS})[1 + (g * 3) % 10]
  FROM generate_series(1, 200) g;
"""


def test_a_copy_cut_short_is_masked_but_not_called_joined(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, BOOKS)
    key = rule_of(text, "public.authors", "name")
    narrator = comment_of(text, "public.books", "narrator")
    assert "still agree" not in narrator and "still join" not in narrator, text
    assert "REVIEW" in narrator, text
    editor = comment_of(text, "public.books", "editor")
    assert "still agree" in editor or "still join" in editor, text
    assert rule_of(text, "public.books", "editor") in (key, key.get("strategy")), text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            f"""SELECT count(*) FILTER (WHERE b.narrator = ANY({AUTHORS})),
                 count(*) FILTER (WHERE b.editor = ANY({AUTHORS})),
                 count(*) FILTER (WHERE EXISTS (SELECT 1 FROM authors a WHERE a.name = b.editor))
               FROM books b"""
        ).fetchone()
    assert row == (0, 0, 200), row  # every name masked; the editors still join


def _text(sql: str, length: int | None) -> ColumnType:
    return ColumnType(sql=sql, base=sql.split("(")[0], category="S", length=length)


def test_masks_alike_tells_a_cut_from_a_roomy_column() -> None:
    text, v30, v140 = _text("text", None), _text("varchar(30)", 30), _text("varchar(140)", 140)

    def alike(name: str, column: ColumnType, other: ColumnType) -> bool:
        ctx = ColumnContext(table="t", column="c", type=column, nullable=True, unique=False)
        return masks_alike(get(name), {}, ctx, other)

    assert not alike("hash", v30, text)  # 30 hex characters, not 32
    assert alike("hash", v140, text)
    assert not alike("full_name", v30, text)  # cut with left()
    assert alike("full_name", v140, text)
