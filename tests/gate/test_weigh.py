"""Weighting on a real PostgreSQL: the same statement is heavy on a big table, light on a
small one; FKs weigh both tables; data changes weigh by EXPLAIN's estimate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import GateResult, Limits, StatementReport
from dbrefresh.gate.weigh import Thresholds


def _only(result: GateResult, index: int = 1) -> StatementReport:
    return result.statements[index]


def test_same_alter_heavy_on_1m_rows_light_on_100(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    big = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE big ADD CONSTRAINT c CHECK (v >= 0);\n", "big.sql"
    )
    small = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE small ADD CONSTRAINT c CHECK (v >= 0);\n",
        "small.sql",
    )
    on_big = gate([big], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=60)))
    # nothing heavy on small: no trace; on big the statement is heavy, so it is traced:
    # compare the static weights only
    on_small = gate([small], GateOptions(dsn=staging_dsn))

    assert _only(on_big).weight == "heavy"
    assert _only(on_big).size.rows >= 900_000
    assert _only(on_small).weight == "light"
    assert on_small.passed
    assert [f.finding.severity.value for f in on_small.findings] == ["info"]


def test_static_heavy_is_an_error_without_trace(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    from dbrefresh.gate.analyze import analyze
    from dbrefresh.gate.split import load
    from dbrefresh.gate.verdict import judge
    from dbrefresh.gate.weigh import read_sizes

    path = write_sql("SET lock_timeout = '2s';\nALTER TABLE big ALTER COLUMN v SET NOT NULL;\n")
    analysis = analyze(load([path]))
    result = judge(analysis, sizes=read_sizes(staging_dsn, analysis.statements))
    assert not result.passed
    assert [(f.finding.code, f.finding.severity.value) for f in result.findings] == [
        ("set-not-null-scans", "error")
    ]


def test_warn_threshold_gives_a_warning(staging_dsn: str, write_sql: Callable[..., Path]) -> None:
    path = write_sql("SET lock_timeout = '2s';\nCREATE INDEX i ON parent (id);\n")
    result = gate([path], GateOptions(dsn=staging_dsn, thresholds=Thresholds(warn_rows=500)))
    assert result.passed
    assert [(f.finding.code, f.finding.severity.value) for f in result.findings] == [
        ("index-blocks-writes", "warning")
    ]


def test_foreign_key_weighs_both_tables(staging_dsn: str, write_sql: Callable[..., Path]) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE small ADD CONSTRAINT f FOREIGN KEY (v) REFERENCES big (id);\n"
    )
    from dbrefresh.gate.analyze import analyze
    from dbrefresh.gate.split import load
    from dbrefresh.gate.weigh import read_sizes

    analysis = analyze(load([path]))
    sizes = read_sizes(staging_dsn, analysis.statements)
    stmt = analysis.statements[1]
    assert set(stmt.tables) == {"small", "big"}
    assert sizes.weigh(stmt, None, Thresholds()) == "heavy"  # big is referenced


def test_update_weighed_by_explain_estimate(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    from dbrefresh.gate.analyze import analyze
    from dbrefresh.gate.split import load
    from dbrefresh.gate.weigh import read_sizes

    path = write_sql(
        "UPDATE big SET note = 'x' WHERE id <= 100;\n"
        "UPDATE big SET note = 'x' WHERE v >= 0;\n"
        "UPDATE small SET note = 'x';\n"
    )
    analysis = analyze(load([path]))
    sizes = read_sizes(staging_dsn, analysis.statements)
    weights = [sizes.weigh(c, None, Thresholds()) for c in analysis.statements]
    assert weights == ["light", "heavy", "light"]
    assert sizes.explained[0] < 1_000 < 900_000 < sizes.explained[1]
    with psycopg.connect(staging_dsn) as conn:  # EXPLAIN changed nothing
        row = conn.execute("SELECT count(*) FROM big WHERE note IS NOT NULL").fetchone()
    assert row == (0,)


def test_foreign_key_without_index_weighs_the_referencing_table(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    fk = "ALTER TABLE {t} ADD CONSTRAINT f FOREIGN KEY (v) REFERENCES parent (id) NOT VALID;\n"
    on_big = gate(
        [write_sql("SET lock_timeout = '2s';\n" + fk.format(t="big"))], GateOptions(dsn=staging_dsn)
    )
    on_small = gate(
        [write_sql("SET lock_timeout = '2s';\n" + fk.format(t="small"))],
        GateOptions(dsn=staging_dsn),
    )
    indexed = gate(
        [
            write_sql("CREATE INDEX CONCURRENTLY big_v_idx ON big (v);\n", "V1.sql"),
            write_sql("SET lock_timeout = '2s';\n" + fk.format(t="big"), "V2.sql"),
        ],
        GateOptions(dsn=staging_dsn),
    )

    def codes(result: GateResult) -> list[tuple[str, str]]:
        return [(f.finding.code, f.finding.severity.value) for f in result.findings]

    assert codes(on_big) == [("fk-without-index", "error")]
    assert codes(on_small) == [("fk-without-index", "info")]
    assert codes(indexed) == []


def test_catalog_facts_sharpen_the_static_classification(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE big ALTER COLUMN note TYPE varchar;\n"  # text -> varchar: no rewrite
        "ALTER TABLE big ALTER COLUMN v SET NOT NULL;\n"  # already NOT NULL: no scan
    )
    static = gate([path], GateOptions())
    weighed = gate([path], GateOptions(dsn=staging_dsn))

    assert {f.finding.code for f in static.findings} >= {
        "column-type-rewrite",
        "set-not-null-scans",
    }
    assert not static.passed
    assert [s.classified.work.value for s in weighed.statements[1:]] == ["metadata", "metadata"]
    assert weighed.trace is None
    assert weighed.passed


def test_volatility_of_defaults_comes_from_the_catalog(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION fixed_code() RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT 7'"
        )
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE big ADD COLUMN code int DEFAULT fixed_code();\n"
        "ALTER TABLE big ADD COLUMN r float8 DEFAULT random();\n"
    )
    result = gate([path], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=60)))
    works = [s.classified.work.value for s in result.statements[1:]]
    assert works == ["metadata", "rewrite"]
    static = gate([path], GateOptions())
    assert [s.classified.work.value for s in static.statements[1:]] == ["rewrite", "rewrite"]


def test_add_column_not_null_without_default_fails_on_rows(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """What Prisma emits: fine on an empty or new table, fails on any row. `empty` has
    stale statistics saying it has rows, so emptiness is read exactly."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE empty (id int)")
        conn.execute("INSERT INTO empty SELECT generate_series(1, 50)")
        conn.execute("ANALYZE empty")
        conn.execute("DELETE FROM empty")
    add = "ALTER TABLE {t} ADD COLUMN email text NOT NULL;\n"
    on_small = gate(
        [write_sql("SET lock_timeout = '2s';\n" + add.format(t="small"), "a.sql")],
        GateOptions(dsn=staging_dsn),
    )
    on_empty = gate(
        [
            write_sql(
                "SET lock_timeout = '2s';\n" + add.format(t="empty") + "CREATE TABLE n (id int);\n",
                "b.sql",
            ),
            write_sql("SET lock_timeout = '2s';\n" + add.format(t="n"), "c.sql"),
        ],
        GateOptions(dsn=staging_dsn),
    )
    with_default = gate(
        [write_sql("SET lock_timeout = '2s';\nALTER TABLE small ADD c int NOT NULL DEFAULT 0;\n")],
        GateOptions(dsn=staging_dsn),
    )

    assert not on_small.passed
    rule = "add-column-not-null-without-default"
    hit = [f.finding for f in on_small.findings if f.finding.code == rule]
    assert [f.severity.value for f in hit] == ["error"]
    assert "fails on a table that has rows" in hit[0].message
    assert "has rows on staging" in hit[0].message
    assert hit[0].hint is not None and "DEFAULT" in hit[0].hint
    assert on_empty.passed
    assert [(f.finding.code, f.finding.severity.value) for f in on_empty.findings] == [
        (rule, "info"),
        (rule, "info"),
    ]
    assert with_default.passed and with_default.findings == []


def test_validated_not_null_check_on_staging_makes_set_not_null_metadata(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE checked (id int, code int, other int)")
        conn.execute("INSERT INTO checked SELECT g, g, g FROM generate_series(1, 150000) g")
        conn.execute("ALTER TABLE checked ADD CONSTRAINT code_nn CHECK (code IS NOT NULL)")
        conn.execute(
            "ALTER TABLE checked ADD CONSTRAINT other_nn CHECK (other IS NOT NULL) NOT VALID"
        )
        conn.execute("ANALYZE checked")
    validated = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE checked ALTER COLUMN code SET NOT NULL;\n", "a.sql"
    )
    not_valid = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE checked ALTER COLUMN other SET NOT NULL;\n",
        "b.sql",
    )
    from dbrefresh.gate.analyze import analyze
    from dbrefresh.gate.facts import seed_knowledge
    from dbrefresh.gate.split import load

    result = gate([validated], GateOptions(dsn=staging_dsn))
    assert result.statements[1].classified.work.value == "metadata"
    assert result.findings == [] and result.trace is None and result.passed
    known = seed_knowledge(staging_dsn, [("checked", None)])
    analysis = analyze(load([not_valid]), known=known)  # NOT VALID proves nothing
    assert [h.rule for h in analysis.statements[1].hits] == ["set-not-null-scans"]


def test_update_explain_cannot_plan_is_not_called_every_row(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    from dbrefresh.gate.analyze import analyze
    from dbrefresh.gate.split import load
    from dbrefresh.gate.verdict import judge
    from dbrefresh.gate.weigh import read_sizes

    path = write_sql(
        "ALTER TABLE big ADD COLUMN flag int;\n"
        "UPDATE big SET flag = 1 WHERE flag IS NULL AND id < 50;\n"  # flag: not on staging
        "UPDATE small SET note = 'x';\n"
    )
    analysis = analyze(load([path]))
    sizes = read_sizes(staging_dsn, analysis.statements)
    assert 1 not in sizes.explained
    messages = [
        f.finding.message
        for f in judge(analysis, sizes=sizes).findings
        if f.finding.code == "unbatched-data-change"
    ]
    assert len(messages) == 2
    assert "EXPLAIN could not plan it" in messages[0] and "every row" not in messages[0]
    assert "without WHERE: changes every row" in messages[1]


def test_add_column_that_cannot_be_null_fails_on_rows(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """NOT NULL is not the only way a new column refuses the NULL existing rows would get:
    a NOT NULL domain (its own or a base domain's, from staging's catalog or the
    migration), DEFAULT NULL NOT NULL, CHECK (col IS NOT NULL). PostgreSQL refuses each
    on a table with rows; a domain's DEFAULT fills them."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE DOMAIN nn_int AS int NOT NULL")
        conn.execute("CREATE DOMAIN sub_nn AS nn_int")
        conn.execute("CREATE DOMAIN chk_int AS int CHECK (VALUE IS NOT NULL)")
        conn.execute("CREATE DOMAIN nn_def AS int NOT NULL DEFAULT 0")
    refused = [
        "ALTER TABLE small ADD COLUMN z nn_int",
        "ALTER TABLE small ADD COLUMN z sub_nn",
        "ALTER TABLE small ADD COLUMN z chk_int",
        "ALTER TABLE small ADD COLUMN c int DEFAULT NULL NOT NULL",
        "ALTER TABLE small ADD COLUMN c int CHECK (c IS NOT NULL)",
    ]
    accepted = [
        "ALTER TABLE small ADD COLUMN z nn_def",
        "ALTER TABLE small ADD COLUMN c int CHECK (c > 0)",
        "ALTER TABLE small ADD COLUMN c int DEFAULT 1 NOT NULL",
    ]
    rule = "add-column-not-null-without-default"
    with psycopg.connect(staging_dsn) as conn:  # what PostgreSQL itself says
        for text in refused + accepted:
            try:
                with conn.transaction(force_rollback=True):
                    conn.execute(text)
                failed = False
            except psycopg.errors.IntegrityError:
                failed = True
            assert failed is (text in refused), text

    for i, text in enumerate(refused + accepted):
        path = write_sql(f"SET lock_timeout = '2s';\n{text};\n", f"v{i}.sql")
        result = gate([path], GateOptions(dsn=staging_dsn))
        codes = {f.finding.code for f in result.findings}
        assert (rule in codes) is (text in refused), text
        assert result.passed is (text in accepted), text

    mine = write_sql(
        "SET lock_timeout = '2s';\nCREATE DOMAIN mig_nn AS int NOT NULL;\n"
        "ALTER TABLE small ADD COLUMN z mig_nn;\n",
        "mine.sql",
    )
    static = gate([mine], GateOptions())
    assert (rule, "error") in {(f.finding.code, f.finding.severity.value) for f in static.findings}


def test_foreign_key_on_a_table_the_migration_created_scans_nothing(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """Django's CreateModel with a ForeignKey: the FK is validated against the new, empty
    referencing table; the 1M-row referenced table is only locked, briefly."""
    path = write_sql(
        "BEGIN;\nSET LOCAL lock_timeout = '2s';\n"
        'CREATE TABLE "profile" ("id" bigint NOT NULL PRIMARY KEY, "user_id" int NOT NULL);\n'
        'ALTER TABLE "profile" ADD CONSTRAINT "profile_user_id_fk" FOREIGN KEY ("user_id") '
        'REFERENCES "big" ("id") DEFERRABLE INITIALLY DEFERRED;\n'
        'CREATE INDEX "profile_user_id" ON "profile" ("user_id");\n'
        "COMMIT;\n"
        "CREATE TABLE later (id int, big_id int);\n"
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE later ADD CONSTRAINT later_fk FOREIGN KEY (big_id) REFERENCES big (id);\n"
        "ALTER TABLE later ADD COLUMN other int REFERENCES big (id);\n"
        "CREATE INDEX CONCURRENTLY later_big ON later (big_id);\n"
        "CREATE INDEX CONCURRENTLY later_other ON later (other);\n"
    )
    static = gate([path], GateOptions(wrap="none"))
    weighed = gate([path], GateOptions(dsn=staging_dsn, wrap="none"))

    assert static.passed and static.findings == []
    fk = static.statements[3].classified
    assert fk.lock is not None and fk.lock.sql_name == "SHARE ROW EXCLUSIVE"
    assert fk.work.value == "metadata"
    assert weighed.passed and weighed.trace is None and weighed.findings == []
    # an existing referencing table is still a validation scan
    existing = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE small ADD CONSTRAINT f FOREIGN KEY (v) REFERENCES big (id);\n",
        "existing.sql",
    )
    assert "add-foreign-key-validates" in {
        f.finding.code for f in gate([existing], GateOptions()).findings
    }


def test_create_index_on_only_a_partitioned_table_builds_nothing(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE events (id int, kind int) PARTITION BY RANGE (id)")
        conn.execute("CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (150001)")
        conn.execute(
            "CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (150001) TO (MAXVALUE)"
        )
        conn.execute("INSERT INTO events SELECT g, g % 7 FROM generate_series(1, 300000) g")
        conn.execute("ANALYZE events_1")
        conn.execute("ANALYZE events_2")
        # what PostgreSQL does: an invalid index on the parent alone, nothing built
        with conn.transaction(force_rollback=True):
            conn.execute("CREATE INDEX probe_i ON ONLY events (kind)")
            row = conn.execute(
                "SELECT i.indisvalid, (SELECT count(*) FROM pg_index p JOIN pg_class c "
                "ON c.oid = p.indrelid WHERE c.relname LIKE 'events\\_%%') "
                "FROM pg_index i WHERE i.indexrelid = 'probe_i'::regclass"
            ).fetchone()
            assert row == (False, 0)
    only = write_sql("SET lock_timeout = '2s';\nCREATE INDEX events_kind ON ONLY events (kind);\n")
    plain = write_sql(
        "SET lock_timeout = '2s';\nCREATE INDEX small_v ON ONLY small (v);\n", "p.sql"
    )

    weighed = gate([only], GateOptions(dsn=staging_dsn))
    static = gate([only], GateOptions())
    on_plain = gate([plain], GateOptions(dsn=staging_dsn))  # ONLY on a plain table builds

    assert weighed.statements[1].classified.work.value == "metadata"
    assert weighed.passed and weighed.findings == [] and weighed.trace is None
    assert static.passed and static.findings == []
    assert [(f.finding.code, f.finding.severity.value) for f in on_plain.findings] == [
        ("index-blocks-writes", "info")
    ]
    assert on_plain.statements[1].classified.work.value == "index_build"
