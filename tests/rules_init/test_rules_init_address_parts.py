"""An address's parts named after the address word are the parts, not a street.

Twenty CRM names a composite address's columns `address_addressCity`,
`address_addressPostcode`; Spree and Magento have `billing_address_city`. Matched on
`address` first, all of them got `street`, and a postcode became '727, rue Laporte'.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE person (
    id serial PRIMARY KEY,
    "address_addressStreet1" text,
    "address_addressCity" text,
    "address_addressPostcode" text,
    billing_address_city text
);
INSERT INTO person ("address_addressStreet1", "address_addressCity",
                    "address_addressPostcode", billing_address_city)
SELECT g || ' ' || (ARRAY['Main Street', 'Oak Avenue', 'Elm Road', 'High Street'])[1 + g % 4],
       (ARRAY['Springfield', 'Riverside', 'Franklin', 'Greenville', 'Bristol'])[1 + g % 5],
       lpad((10000 + g * 37)::text, 5, '0'),
       (ARRAY['Fairview', 'Madison', 'Georgetown', 'Salem', 'Clinton'])[1 + g % 5]
FROM generate_series(1, 200) g;
"""


def test_city_and_postcode_columns_named_after_the_address_keep_their_kind(
    make_db, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.person", "address_addressStreet1") == "street"
    assert strategy_of(text, "public.person", "address_addressCity") == "city"
    # (digits keeps a postcode of digits a postcode of the same length)
    assert strategy_of(text, "public.person", "address_addressPostcode") in {"postcode", "digits"}
    assert strategy_of(text, "public.person", "billing_address_city") == "city"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            'SELECT "address_addressCity", "address_addressPostcode", billing_address_city'
            " FROM person"
        ).fetchall()
    assert len(rows) == 200
    for city, postcode, billing_city in rows:
        assert not re.search(r"\d", city) and not re.search(r"\d", billing_city), city
        assert "," not in postcode and re.search(r"\d", postcode), postcode
