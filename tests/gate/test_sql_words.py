"""Messages name statements and subcommands in SQL words, not by the parser's structs:
`VariableSet`, `View`, `SetAccessMethod on events`, `SetUnLogged on shop_orderitem` and
`ADD PRIMARY` leaked into reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from dbrefresh.gate.report import render
from dbrefresh.gate.run import GateOptions, gate

LEAKS = ("VariableSet", "SetAccessMethod", "SetUnLogged", "View ", "Transaction", "PRIMARY (")


def test_statements_and_subcommands_are_named_as_sql_writes_them(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE events SET ACCESS METHOD heap;\n"
        "ALTER TABLE shop_orderitem SET UNLOGGED;\n"
        "ALTER TABLE shop_order ADD PRIMARY KEY (id);\n"
        "CREATE VIEW order_totals AS SELECT shop_total() AS n;\n"
        "MERGE INTO shop_product p USING price_feed f ON p.id = f.id\n"
        "  WHEN MATCHED THEN UPDATE SET price = f.price;\n"
    )

    result = gate([path], GateOptions())

    text = render(result, "text")
    assert "ALTER TABLE events SET ACCESS METHOD heap: copies the whole table" in text
    assert "ALTER TABLE shop_orderitem SET UNLOGGED: copies the whole table" in text
    assert "ADD PRIMARY KEY shop_order (id)" in text
    doc = json.loads(render(result, "json"))
    kinds = [s["kind"] for s in doc["statements"]]
    assert kinds == ["SET", "ALTER TABLE", "ALTER TABLE", "ALTER TABLE", "CREATE VIEW", "MERGE"]
    for fmt in ("text", "json", "markdown", "junit"):
        out = render(result, fmt)
        assert not [leak for leak in LEAKS if leak in out], fmt


def test_transaction_control_is_named_and_still_understood(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql(
        "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER SYSTEM SET work_mem = '8MB';\n"
        "RESET ALL;\nCOMMIT;\n"
    )

    result = gate([path], GateOptions())

    kinds = [s.classified.kind for s in result.statements]
    assert kinds == ["BEGIN", "SET LOCAL", "ALTER SYSTEM", "RESET ALL", "COMMIT"]
    assert "ALTER SYSTEM cannot run inside a transaction block" in render(result, "text")
