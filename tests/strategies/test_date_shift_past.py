"""date_shift never moves a past date into the future: a birthdate with max_days 365
ended after today, and OpenMRS refuses future birthdates. A value within max_days
before today moves back instead (with `by`, no later than today: a row keeps its order)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from .conftest import Masking

RECENT = """
DROP TABLE IF EXISTS recent;
CREATE TEMP TABLE recent AS SELECT g AS id,
  CASE WHEN g % 50 = 0 THEN NULL ELSE current_date - (g - 20) END AS d,
  now() - (g - 20) * interval '5 hours' AS tz,
  localtimestamp - (g - 20) * interval '5 hours' AS ts,
  to_char(current_date - (g - 20), 'YYYY-MM-DD') AS iso,
  current_date - g - 3 AS starts, current_date - g / 2 AS ends
FROM generate_series(1, 400) g
"""


def test_past_dates_never_become_future(masking: Masking) -> None:
    masking.conn.execute(RECENT)
    today = masking.conn.execute("SELECT current_date").fetchone()[0]  # type: ignore[index]
    now = datetime.now(UTC)
    params = {"max_days": 365}
    rows = masking.run("date_shift", params, "d", table="recent")
    assert rows == masking.run("date_shift", params, "d", table="recent")  # deterministic
    for o, m in rows:
        if o is None:
            assert m is None
            continue
        assert 1 <= abs((m - o).days) <= 365
        assert o > today or m <= today, (o, m)
    assert any(o > today and m > o for o, m in rows if o)  # the future moves both ways still
    for o, m in masking.run("date_shift", params, "tz", table="recent"):
        assert o > now or m <= now + timedelta(seconds=5), (o, m)
        assert abs((m - o).total_seconds()) / 86400 in set(range(1, 366))
    local = masking.conn.execute("SELECT localtimestamp").fetchone()[0]  # type: ignore[index]
    for o, m in masking.run("date_shift", params, "ts", table="recent"):
        assert o > local or m <= local + timedelta(seconds=5), (o, m)
    for o, m in masking.run("date_shift", {**params, "text": True}, "iso", table="recent"):
        assert o > today.isoformat() or m <= today.isoformat(), (o, m)


def test_by_keeps_order_and_stays_past(masking: Masking) -> None:
    masking.conn.execute(RECENT)
    today: date = masking.conn.execute("SELECT current_date").fetchone()[0]  # type: ignore[index]
    params = {"max_days": 365, "by": "id"}
    starts = masking.run("date_shift", params, "starts", table="recent")
    ends = masking.run("date_shift", params, "ends", table="recent")
    for (_, s), (_, e) in zip(starts, ends, strict=True):
        assert s <= e <= today, (s, e)
