"""OpenStreetMap's tags: current_node_tags(node_id, k, v) holds every tag of every
node. Judged as one column, the `phone=` tags (one row in eight) made every tag lorem:
`amenity=cafe` became `amenity=pref`, and the public map data was lost. Read as a
key/value table on `k`, only contact keys are masked."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

OSM = """
CREATE TABLE current_nodes (id bigserial PRIMARY KEY, latitude int NOT NULL,
  longitude int NOT NULL, version bigint NOT NULL);
INSERT INTO current_nodes (latitude, longitude, version)
  SELECT 524000000 + g * 1000, 134000000 + g * 700, 1 FROM generate_series(1, 400) g;
CREATE TABLE current_node_tags (node_id bigint NOT NULL REFERENCES current_nodes(id),
  k varchar(255) DEFAULT '' NOT NULL, v varchar(255) DEFAULT '' NOT NULL,
  PRIMARY KEY (node_id, k));
INSERT INTO current_node_tags SELECT g, 'amenity',
  (ARRAY['cafe', 'school', 'pharmacy', 'restaurant'])[1 + g % 4] FROM generate_series(1, 400) g;
INSERT INTO current_node_tags SELECT g, 'name',
  (ARRAY['Andrade', 'Alves', 'Café Central', 'Müller', 'Bäckerei Schmidt'])[1 + g % 5]
  FROM generate_series(1, 400, 2) g;
INSERT INTO current_node_tags SELECT g, 'addr:street',
  (ARRAY['Hauptstraße', 'Peterson Mews', 'Rua Augusta'])[1 + (g / 3) % 3]
  FROM generate_series(1, 400, 3) g;
INSERT INTO current_node_tags SELECT g, 'phone',
  '+49 30 ' || lpad((g * 7919 % 10000000)::text, 7, '0') FROM generate_series(1, 400, 3) g;
INSERT INTO current_node_tags SELECT g, 'contact:email',
  'info' || g || '@cafe-example.de' FROM generate_series(1, 400, 5) g;
ANALYZE;
"""


def test_map_tags_mask_contact_keys_only(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, OSM)
    rule = rule_of(text, "public.current_node_tags", "v")
    assert rule["strategy"] == "switch" and rule["by"] == "k", rule
    assert set(rule["cases"]) == {"phone", "contact:email"}, rule
    assert "map tags" in comment_of(text, "public.current_node_tags", "v")
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT k, array_agg(DISTINCT v ORDER BY v) FROM current_node_tags"
            " WHERE k IN ('amenity', 'name', 'addr:street') GROUP BY k ORDER BY k"
        ).fetchall()
        phones = conn.execute(
            "SELECT count(*) FROM current_node_tags WHERE k = 'phone'"
            " AND v = '+49 30 ' || lpad((node_id * 7919 % 10000000)::text, 7, '0')"
        ).fetchone()
        emails = conn.execute(
            "SELECT count(*) FROM current_node_tags WHERE k = 'contact:email'"
            " AND v = 'info' || node_id || '@cafe-example.de'"
        ).fetchone()
    assert kept == [
        ("addr:street", ["Hauptstraße", "Peterson Mews", "Rua Augusta"]),
        ("amenity", ["cafe", "pharmacy", "restaurant", "school"]),
        ("name", ["Alves", "Andrade", "Bäckerei Schmidt", "Café Central", "Müller"]),
    ]
    assert phones == (0,) and emails == (0,)
