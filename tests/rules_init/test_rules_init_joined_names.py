"""Names joined by '_', '.' or '-' inside a longer value: Paperless's
documents.original_filename 'Scan_2023_Anna_Schmidt_Mietvertrag.pdf' was kept with no
note (all 3,000 file names kept a full name) while its title 'Mietvertrag Anna Schmidt'
was masked: the lines naming people were read over words split by spaces only."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import joined_names

from .helpers import comment_of, generate_then_mask, strategy_of

FIRST = (
    "Anna Lukas Marie Jean Sophie Hans Claire Peter Emma Louis Julia Felix Chloe Max Lea "
    "Thomas Laura Paul Nicole Jonas"
)
LAST = (
    "Schmidt Dubois Weber Martin Fischer Bernard Wagner Petit Becker Moreau Hoffmann Roux "
    "Johnson Lefebvre Schulz Garcia Koch Girard Wright Zimmermann Morel Davis Krause Faure "
    "Walker Braun Mercier Lewis Hartmann Blanc"
)

DOCS = f"""
CREATE TABLE docs2 (id int PRIMARY KEY, original_filename text NOT NULL, title text NOT NULL,
    slug text NOT NULL, archive text NOT NULL);
INSERT INTO docs2 SELECT i,
    CASE i % 3 WHEN 0 THEN 'Scan_2023_' || f || '_' || l || '_Mietvertrag.pdf'
      WHEN 1 THEN 'Rechnung-' || f || '-' || l || '-' || i || '.pdf'
      ELSE 'IMG.' || f || '.' || l || '.jpg' END,
    'Mietvertrag ' || f || ' ' || l,
    'mietvertrag-' || i || '-' || f || '_' || l,
    'Archiv_2023_Mietvertrag_' || i || '.pdf'
FROM (SELECT i, (string_to_array('{FIRST}', ' '))[1 + i % 20] AS f,
             (string_to_array('{LAST}', ' '))[1 + i / 20] AS l
      FROM generate_series(0, 599) i) s;
ANALYZE;
"""


def test_people_joined() -> None:
    assert joined_names.people_in("Scan_2023_Anna_Schmidt_Mietvertrag.pdf") == {"Anna Schmidt"}
    assert joined_names.people_in("Rechnung-Marie-Dubois-12.pdf") == {"Marie Dubois"}
    assert joined_names.people_in("IMG.Peter.Wright.jpg") == {"Peter Wright"}
    # alone, a login or a double first name; in lower case, words ('rose-hill')
    assert joined_names.people_in("Anna.Schmidt") == set()
    assert joined_names.people_in("Anna-Maria") == set()
    assert joined_names.people_in("scan_anna_schmidt.pdf") == set()
    assert joined_names.people_in("Archiv_2023_Mietvertrag_7.pdf") == set()


def test_names_joined_in_file_names_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, DOCS)
    assert strategy_of(text, "public.docs2", "title") == "lorem", text
    assert strategy_of(text, "public.docs2", "original_filename") != "keep", text
    assert strategy_of(text, "public.docs2", "slug") != "keep", text
    assert "name people" in comment_of(text, "public.docs2", "slug"), text
    assert strategy_of(text, "public.docs2", "archive") == "keep", text
    names = "|".join(FIRST.split())
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE original_filename ~ %(n)s), "
            "count(*) FILTER (WHERE slug ~ %(n)s) FROM docs2",
            {"n": f"(^|[^[:alpha:]])({names})[-_.]"},
        ).fetchone()
    assert row == (0, 0)
