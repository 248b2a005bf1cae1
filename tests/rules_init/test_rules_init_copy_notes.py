"""A kept column is said to hold a masked one inside it only when the masked values
differ from row to row: Odoo's res_field 'image_1920' was said to hold index_content
('image' in every image row), as if it told what the masked column hides."""

from __future__ import annotations

from pathlib import Path

from .helpers import comment_of, generate_then_mask, strategy_of

ODOO = """
CREATE TABLE ir_attachment (id serial PRIMARY KEY, res_field varchar, index_content text,
  website varchar, login varchar);
INSERT INTO ir_attachment (res_field, index_content, website, login)
  SELECT CASE WHEN i % 2 = 0 THEN 'image_1920' END,
    CASE WHEN i % 2 = 0 THEN 'image'
      ELSE 'Curriculum Vitae, mail cv' || i || '@example.org, +49 30 ' || (1000000 + i) END,
    'https://jdoe' || i || '.example.org/', 'jdoe' || i
  FROM generate_series(1, 200) i;
"""


def test_one_word_inside_a_kept_value_is_no_copy(make_db, tmp_path: Path) -> None:
    _, text = generate_then_mask(make_db, tmp_path, ODOO)
    assert strategy_of(text, "public.ir_attachment", "index_content") == "lorem"
    assert strategy_of(text, "public.ir_attachment", "res_field") == "keep"
    assert "index_content" not in comment_of(text, "public.ir_attachment", "res_field")
    # a login inside a URL, different in every row, is still noted
    assert "holds the row's login" in comment_of(text, "public.ir_attachment", "website")
