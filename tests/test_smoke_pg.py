import psycopg


def test_chinook_copy_has_customers(chinook_dsn: str) -> None:
    with psycopg.connect(chinook_dsn) as conn:
        (count,) = conn.execute("SELECT count(*) FROM customer").fetchone()  # type: ignore[misc]
    assert count == 59
