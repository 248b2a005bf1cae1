"""Phone numbers beside values without a digit: Cal.com's "Booking".location holds a
number in a third of the rows and 'integrations:zoom' in the rest. It got `lorem`,
which broke every video meeting's integration lookup; `phone` masks the numbers and
leaves the rest as it is."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, strategy_of

CALCOM = """
CREATE TABLE "Booking" (id serial PRIMARY KEY, uid text UNIQUE NOT NULL, location text);
INSERT INTO "Booking" (uid, location) SELECT md5(i::text),
  CASE WHEN i % 3 = 0 THEN '+1 415 555 ' || lpad((i * 17 % 10000)::text, 4, '0')
    WHEN i % 3 = 1 THEN 'integrations:google:meet' ELSE 'integrations:zoom' END
  FROM generate_series(1, 600) i;
ANALYZE;
"""


def test_booking_location_masks_the_numbers_and_keeps_integrations(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, CALCOM)
    assert strategy_of(text, "public.Booking", "location") == "phone", text
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            """SELECT count(*) FILTER (WHERE location LIKE 'integrations:%'),
              count(*) FILTER (WHERE location ~ '^\\+[1-9] [0-9]{3} [0-9]{3} [0-9]{4}$'),
              count(*) FILTER (WHERE location
                = '+1 415 555 ' || lpad((id * 17 % 10000)::text, 4, '0'))
            FROM "Booking" """
        ).fetchone()
    assert counts == (400, 200, 0)  # integrations kept, numbers still numbers, none kept
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
