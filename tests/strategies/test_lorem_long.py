"""lorem on long text: past 4,000 characters the text is joined as bytes (rpad() counted
a 10 kB body's characters one by one), and it is the text rpad() gave earlier versions,
so masked values stay the same (determinism: a refresh after an upgrade masks alike)."""

from __future__ import annotations

from tests.strategies.conftest import Masking

EARLIER = """
SELECT count(*) FILTER (WHERE dbrefresh.lorem(x, len, t, s) IS DISTINCT FROM
         rpad(convert_from(substring(t FROM s[1 + x % cardinality(s)] FOR least(len, 4000)),
                           'UTF8'),
              len, ' lorem ipsum dolor sit amet consectetur adipiscing elit sed do'))
  FROM (SELECT dbrefresh.lorem_text(dbrefresh.dict_word()) AS t,
               dbrefresh.lorem_starts(dbrefresh.dict_word()) AS s) AS c,
       generate_series(1, 20000, 13) AS len,
       (VALUES (0::bigint), (8999), (123456789012345), (9223372036854775807)) AS v(x)
"""


def test_lorem_text_is_the_earlier_one(masking: Masking) -> None:
    row = masking.conn.execute(EARLIER).fetchone()
    assert row == (0,)
