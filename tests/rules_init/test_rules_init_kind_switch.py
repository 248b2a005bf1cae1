"""A text column holding URLs in the rows of one type and titles naming people in others.

Matomo's log_action.name is a URL without scheme for `type` 1 and a page title or an
event name for types 4 and 8: judged as one column it got `lorem`, and every URL in
Matomo's reports was lost. A switch by `type` now masks each kind as a column of it
alone would be: the URLs' personal parameters only, the titles as before. A notes
table whose every type holds text naming people keeps its whole-column rule.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

ACTIONS = """
CREATE TABLE log_action (idaction serial PRIMARY KEY, name varchar(4096),
  hash bigint NOT NULL, type smallint, url_prefix smallint);
CREATE INDEX index_type_hash ON log_action(type, hash);
INSERT INTO log_action (name, hash, type, url_prefix)
SELECT CASE g % 5
    WHEN 0 THEN 'shop.example.com/account/reset?email=' || lower(f) || '.' || g
      || '@mail.example&token=' || md5(g::text)
    WHEN 1 THEN 'shop.example.com/search?q=' || f || '+' || l
    WHEN 2 THEN 'shop.example.com/products/item-' || g
    WHEN 3 THEN 'Profile of ' || f || ' ' || l
    ELSE f || ' ' || l END,
  g * 7919, CASE WHEN g % 5 < 3 THEN 1 WHEN g % 5 = 3 THEN 4 ELSE 8 END,
  CASE WHEN g % 5 < 3 THEN 2 END
FROM (SELECT g, (ARRAY['Anna','Peter','Lisa','Jonas','Marie','Paul','Sofia','Lukas',
    'Emma','Felix','Clara','Noah'])[1 + g % 12] AS f,
  (ARRAY['Schmidt','Meyer','Wagner','Becker','Fischer','Weber','Hoffmann','Schulz',
    'Koch','Richter','Klein','Wolf','Neumann'])[1 + g % 13] AS l
  FROM generate_series(1, 1500) g) s;
CREATE TABLE notes (id serial PRIMARY KEY, type smallint NOT NULL, body text);
INSERT INTO notes (type, body) SELECT g % 3,
  'Called ' || (ARRAY['Anna Schmidt','Peter Meyer','Lisa Wagner','Jonas Becker'])[1 + g % 4]
  || ' about the invoice ' || g || ', reach her at +49 30 ' || lpad(g::text, 6, '0')
FROM generate_series(1, 900) g;
ANALYZE;
"""


def test_urls_of_one_type_keep_their_shape(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, ACTIONS)
    rule = rule_of(text, "public.log_action", "name")
    assert rule["strategy"] == "switch" and rule["by"] == "type", text
    assert rule["cases"]["1"]["strategy"] == "sql", text  # the URL rule of url_params.py
    assert rule["default"] == "lorem", text  # a type the sample did not meet
    assert strategy_of(text, "public.notes", "body") == "lorem", text
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            """SELECT count(*) FILTER (WHERE type = 1 AND name LIKE 'shop.example.com/%'),
                count(*) FILTER (WHERE type = 1
                  AND name = 'shop.example.com/products/item-' || (hash / 7919)),
                count(*) FILTER (WHERE name ~ '(Anna|Peter|Lisa|Jonas|Marie|Paul|Sofia)'
                  AND name ~ '(Schmidt|Meyer|Wagner|Becker|Fischer|Weber|Hoffmann)'),
                count(*) FILTER (WHERE name LIKE '%@mail.example%')
            FROM log_action"""
        ).fetchone()
        # every URL still a URL of the shop, the plain ones kept; no name, no address
        assert counts == (900, 300, 0, 0)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
