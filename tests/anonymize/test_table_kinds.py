"""Partitions, generated and identity columns, truncate, delete_where, shuffle."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import psycopg
import pytest
from psycopg import conninfo

from dbrefresh.anonymize.api import anonymize, build_plan, mark_clone, verify_report
from dbrefresh.catalog import read_catalog
from dbrefresh.errors import MaskingRefused, RulesError
from dbrefresh.rules import compiler
from dbrefresh.rules.compiler import check_rules
from dbrefresh.rules.fkrisk import fks_masking_can_break
from dbrefresh.rules.init import generate_rules
from dbrefresh.rules.load import load_rules
from tests.anonymize.helpers import (
    db_with_rules,
    fingerprint,
    mask_and_verify,
    refused_findings,
)

SCHEMA = """
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    happened date NOT NULL,
    email text NOT NULL,
    email_len int GENERATED ALWAYS AS (length(email)) STORED,
    city text,
    PRIMARY KEY (id, happened)
) PARTITION BY RANGE (happened);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO events (happened, email, city)
SELECT date '2023-01-01' + (i % 700), format('user%s@shop.example', i), format('Town%s', i % 50)
  FROM generate_series(1, 2000) i;
CREATE TABLE sessions (id int PRIMARY KEY, token text NOT NULL);
INSERT INTO sessions SELECT i, md5(i::text) FROM generate_series(1, 100) i;
CREATE TABLE audit (id int PRIMARY KEY, at date NOT NULL, who text NOT NULL);
INSERT INTO audit SELECT i, date '2024-01-01' + i, format('admin%s@corp.example', i)
  FROM generate_series(1, 300) i;
CREATE TABLE scores (id int PRIMARY KEY, score int NOT NULL);
INSERT INTO scores SELECT i, i * 10 FROM generate_series(1, 500) i;
"""

RULES = """version: 1
tables:
  public.events:
    columns:
      id: keep
      happened: keep
      email: {strategy: email, unique: true}
      email_len: keep
      city: city
  public.sessions: truncate
  public.audit:
    delete_where: "at < date '2024-06-01'"
    columns:
      id: keep
      at: keep
      who: {strategy: email, unique: true}
  public.scores:
    columns:
      id: keep
      score: shuffle
"""


@pytest.fixture
def kinds_db(make_db, tmp_path: Path) -> tuple[str, Path]:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute("ANALYZE")
    rules = tmp_path / "kinds.yaml"
    rules.write_text(RULES)
    return dsn, rules


def test_partitions_generated_identity_truncate_delete_shuffle(kinds_db) -> None:
    dsn, rules = kinds_db
    with psycopg.connect(dsn) as conn:
        before_scores = sorted(r[0] for r in conn.execute("SELECT score FROM scores"))
        kept_audit = conn.execute(
            "SELECT count(*) FROM audit WHERE at >= date '2024-06-01'"
        ).fetchone()[0]
    plan = build_plan(dsn, [rules])
    assert sorted(s.relation for s in plan.steps) == [
        "public.audit",
        "public.events_2023",
        "public.events_2024",
        "public.scores",
    ]
    assert plan.truncate == ["public.sessions"]
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="kinds", progress=False)
    with psycopg.connect(dsn) as conn:
        leaked = conn.execute(
            "SELECT count(*) FROM events WHERE email LIKE '%@shop.example'"
        ).fetchone()[0]
        assert leaked == 0
        # the generated column was recomputed from the masked value
        assert conn.execute("SELECT bool_and(email_len = length(email)) FROM events").fetchone()[0]
        # identity values kept, and the identity still generates new ones
        assert conn.execute("SELECT min(id), max(id), count(*) FROM events").fetchone() == (
            1,
            2000,
            2000,
        )
        conn.execute("INSERT INTO events (happened, email) VALUES ('2024-05-05', 'x@y.z')")
        assert conn.execute("SELECT max(id) FROM events").fetchone()[0] == 2001
        conn.rollback()
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == kept_audit
        assert (
            conn.execute("SELECT count(*) FROM audit WHERE who LIKE '%@corp.example'").fetchone()[0]
            == 0
        )
        after_scores = conn.execute("SELECT id, score FROM scores ORDER BY id").fetchall()
        assert sorted(s for _, s in after_scores) == before_scores  # a permutation
        moved = sum(1 for i, s in after_scores if s != i * 10)
        assert moved > 450  # and a real one
    report = verify_report(dsn, [rules], seed="kinds")
    assert report.findings == []
    assert report.total_leaks == 0


def _refused(dsn: str, rules: Path) -> str:
    """What the compiler says of rules it refuses, as printed."""
    with pytest.raises(RulesError) as caught:
        build_plan(dsn, [rules])
    return str(caught.value)


def test_rule_on_a_partition_column_that_does_not_exist(kinds_db) -> None:
    dsn, rules = kinds_db
    rules.write_text(RULES.replace("      city: city\n", "      town: city\n"))
    rendered = _refused(dsn, rules)
    assert "public.events.town: no such column" in rendered
    # named once, on the table the rule is on, not once per partition
    assert rendered.count("column not classified") == 1
    assert "public.events.city: column not classified" in rendered


def test_an_unclassified_generated_column_is_told_to_keep(kinds_db) -> None:
    dsn, rules = kinds_db
    rules.write_text(RULES.replace("      email_len: keep\n", ""))
    rendered = _refused(dsn, rules)
    assert rendered.count("column not classified") == 1
    assert "public.events.email_len: column not classified by any rule; generated, " in rendered
    assert "add `email_len: keep`" in rendered


def test_a_rule_less_partition_tree_is_named_by_its_root(kinds_db) -> None:
    dsn, rules = kinds_db
    text = RULES.split("  public.sessions: truncate\n")
    rules.write_text("version: 1\ntables:\n  public.sessions: truncate\n" + text[1])
    with pytest.raises(RulesError) as caught:
        build_plan(dsn, [rules])
    unclassified = sorted(
        f.location.key for f in caught.value.findings if f.code == "unclassified-column"
    )
    assert unclassified == [
        f"public.events.{c}" for c in ("city", "email", "email_len", "happened", "id")
    ]


def test_masking_a_generated_column_is_refused(kinds_db) -> None:
    dsn, rules = kinds_db
    rules.write_text(RULES.replace("email_len: keep", "email_len: {strategy: noise, absolute: 2}"))
    with pytest.raises(RulesError, match="generated column"):
        build_plan(dsn, [rules])


FK_SCHEMA = """
CREATE TABLE accounts (email text PRIMARY KEY, name text NOT NULL);
CREATE TABLE logins (id int PRIMARY KEY, account_email text REFERENCES accounts(email));
INSERT INTO accounts SELECT format('a%s@x.example', i), format('N%s', i)
  FROM generate_series(1, 50) i;
INSERT INTO logins
SELECT i, CASE WHEN i % 5 = 0 THEN NULL ELSE format('a%s@x.example', 1 + i % 50) END
  FROM generate_series(1, 200) i;
"""

FK_RULES = """version: 1
tables:
  public.accounts:
    columns:
      email: {strategy: email, unique: true}
      name: last_name
  public.logins:
    columns:
      id: keep
      account_email: {strategy: email, unique: true%s}
"""


def test_masked_natural_key_joins_and_a_mismatch_names_the_pair(make_db, tmp_path: Path) -> None:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(FK_SCHEMA)
    rules = tmp_path / "fk.yaml"
    rules.write_text(FK_RULES % ", domain: other.example")
    with pytest.raises(RulesError) as caught:
        build_plan(dsn, [rules])
    message = str(caught.value)
    assert "logins_account_email_fkey" in message
    assert "public.logins.account_email (email)" in message
    assert "public.accounts.email (email)" in message

    rules.write_text(FK_RULES % "")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="fk", progress=False)
    with psycopg.connect(dsn) as conn:
        joined, nulls, originals = conn.execute(
            "SELECT count(a.email), count(*) FILTER (WHERE l.account_email IS NULL), "
            "count(*) FILTER (WHERE l.account_email LIKE '%@x.example') "
            "FROM logins l LEFT JOIN accounts a ON a.email = l.account_email"
        ).fetchone()
    assert (joined, nulls, originals) == (160, 40, 0)
    report = verify_report(dsn, [rules], seed="fk")
    assert report.findings == [] and report.foreign_keys_checked == 1

    # an orphan on a masked key (written with FK triggers off, as masking writes) is named
    with psycopg.connect(dsn) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("UPDATE logins SET account_email = 'nobody@nowhere.example' WHERE id = 1")
    findings = verify_report(dsn, [rules], seed="fk").findings
    assert [(f.code, f.location.key) for f in findings] == [("fk-broken", "public.logins")]
    assert "logins_account_email_fkey: 1 row(s)" in findings[0].message


def test_verify_skips_foreign_keys_masking_cannot_break(make_db, tmp_path: Path) -> None:
    """Unmasked keys between tables that keep every row hold as they held before."""
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(FK_SCHEMA)
        conn.execute("ALTER TABLE logins ADD COLUMN note text")
    rules = tmp_path / "fk.yaml"
    rules.write_text(
        FK_RULES.replace(
            "account_email: {strategy: email, unique: true%s}", "account_email: keep"
        ).replace("email: {strategy: email, unique: true}", "email: keep")
        + "      note: lorem\n"
    )
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="fk", progress=False)
    assert verify_report(dsn, [rules], seed="fk").foreign_keys_checked == 0
    # deleting referenced rows puts the key back under check
    rules.write_text(
        rules.read_text().replace(
            "  public.accounts:\n", "  public.accounts:\n    delete_where: \"name = ''\"\n"
        )
    )
    with psycopg.connect(dsn) as conn:
        catalog = read_catalog(conn)
    plan = build_plan(dsn, [rules])
    at_risk = fks_masking_can_break(catalog, plan.steps, plan.truncate)
    assert [fk.name for fk in at_risk] == ["logins_account_email_fkey"]


@pytest.mark.parametrize("rebuild_rows", [0, 10**9], ids=["indexes-rebuilt", "indexes-kept"])
def test_swap_refuses_to_orphan_rows_and_changes_nothing(
    make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rebuild_rows: int
) -> None:
    """accounts and logins swap together; deleting accounts that logins reference would
    orphan logins whether the key is kept in place or re-added to the empty logins."""
    monkeypatch.setattr(compiler, "INDEX_REBUILD_ROWS", rebuild_rows)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(FK_SCHEMA)
    rules = tmp_path / "fk.yaml"
    rules.write_text(
        (FK_RULES % "").replace(
            "  public.accounts:\n", "  public.accounts:\n    delete_where: \"name = 'N7'\"\n"
        )
    )
    plan = build_plan(dsn, [rules])
    [group] = plan.groups
    assert group.relations == ["public.accounts", "public.logins"]  # referenced first
    assert [c.name for c in group.fk_checks] == ["logins_account_email_fkey"]
    assert bool(group.add_fks_after) == (rebuild_rows == 0)
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(MaskingRefused) as caught:  # the rules' doing: exit 2, not 3
        anonymize(dsn, [rules], seed="fk", progress=False)
    message = str(caught.value)
    assert "public.accounts" in message and "public.logins" in message
    assert "4 row(s) of public.logins" in message and "logins_account_email_fkey" in message
    assert "delete_where on public.accounts removes rows that other rows still" in message
    assert "`delete_cascade: true` beside it deletes those too" in message
    assert fingerprint(dsn) == before
    with psycopg.connect(dsn) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'logins_account_email_fkey'"
        ).fetchone() == (1,)


CYCLE_SCHEMA = """
CREATE TABLE teams (id int PRIMARY KEY, lead_id int, name text NOT NULL);
CREATE TABLE members (id int PRIMARY KEY, team_id int NOT NULL REFERENCES teams(id),
                      name text NOT NULL);
ALTER TABLE teams ADD CONSTRAINT teams_lead_fkey FOREIGN KEY (lead_id) REFERENCES members(id);
INSERT INTO teams SELECT i, NULL, format('Team %s', i) FROM generate_series(1, 20) i;
INSERT INTO members SELECT i, 1 + i % 20, format('Member %s', i) FROM generate_series(1, 200) i;
UPDATE teams SET lead_id = id;
"""

CYCLE_RULES = """version: 1
tables:
  public.teams: {columns: {id: keep, lead_id: keep, name: last_name}}
  public.members: {columns: {id: keep, team_id: keep, name: first_name}}
"""


def test_tables_referencing_each_other_swap_together(
    make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle of keys: one group. With both primary keys rebuilt, the relation refilled
    second still is empty when the first one's key is re-added; the other key can only
    be re-added after both refills, and is validated then."""
    monkeypatch.setattr(compiler, "INDEX_REBUILD_ROWS", 0)
    dsn, rules = db_with_rules(make_db, tmp_path, CYCLE_SCHEMA, CYCLE_RULES, "cycle.yaml")
    [group] = build_plan(dsn, [rules]).groups
    assert sorted(group.relations) == ["public.members", "public.teams"]
    assert group.relations == ["public.members", "public.teams"]  # cycle: name order
    assert group.add_fks_after == {"public.members": [mock.ANY]}
    assert "teams_lead_fkey" in group.add_fks_after["public.members"][0]
    assert len(group.add_fks_last) == 1 and "members_team_id_fkey" in group.add_fks_last[0]
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="cycle", progress=False)
    with psycopg.connect(dsn) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated"
        ).fetchone() == (2,)
        assert conn.execute(
            "SELECT count(*) FROM teams t JOIN members m ON m.id = t.lead_id "
            "WHERE t.name NOT LIKE 'Team %' AND m.name NOT LIKE 'Member %'"
        ).fetchone() == (20,)
    assert verify_report(dsn, [rules], seed="cycle").findings == []


PARTITION_FK_SCHEMA = """
CREATE TABLE visits (id int, day date NOT NULL, who text NOT NULL, PRIMARY KEY (id, day))
  PARTITION BY RANGE (day);
CREATE TABLE visits_2023 PARTITION OF visits FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE visits_2024 PARTITION OF visits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO visits SELECT i, date '2023-01-01' + (i % 700), format('Visitor %s', i)
  FROM generate_series(1, 1000) i;
CREATE TABLE badges (id int PRIMARY KEY, visit_id int, visit_day date, holder text,
  FOREIGN KEY (visit_id, visit_day) REFERENCES visits (id, day));
INSERT INTO badges SELECT i, i, date '2023-01-01' + (i % 700), format('Holder %s', i)
  FROM generate_series(1, 400) i;
CREATE TABLE notes (id int PRIMARY KEY, visit_id int, visit_day date,
  FOREIGN KEY (visit_id, visit_day) REFERENCES visits (id, day));
INSERT INTO notes SELECT i, i, date '2023-01-01' + (i % 700) FROM generate_series(1, 300) i;
ANALYZE;
"""

PARTITION_FK_RULES = """version: 1
tables:
  public.visits: {columns: {id: keep, day: keep, who: full_name}}
  public.badges: {columns: {id: keep, visit_id: keep, visit_day: keep, holder: full_name}}
  public.notes: keep
"""

CONSTRAINTS = (
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
    "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
)


def test_keys_pointing_at_a_partitioned_table(make_db, tmp_path: Path) -> None:
    """Each partition of visits is referenced through the key on the parent: the
    partitions and badges (rewritten) swap together with the key kept in place; the
    kept notes' key is set aside and re-validated. Before, TRUNCATE refused."""
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(PARTITION_FK_SCHEMA)
        before = conn.execute(CONSTRAINTS).fetchall()
    rules = tmp_path / "visits.yaml"
    rules.write_text(PARTITION_FK_RULES)
    [group] = build_plan(dsn, [rules]).groups
    assert group.relations == ["public.visits_2023", "public.visits_2024", "public.badges"]
    assert group.lock_outside == 'LOCK TABLE ONLY "public"."notes" IN ACCESS EXCLUSIVE MODE'
    assert [s.split(" DROP CONSTRAINT ")[0] for s in group.drop_fks] == [
        'ALTER TABLE "public"."notes"'
    ]
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="parts", progress=False)
    with psycopg.connect(dsn) as conn:
        assert conn.execute(CONSTRAINTS).fetchall() == before
        joined = conn.execute(
            "SELECT count(*) FROM badges b JOIN visits v ON (v.id, v.day) = (b.visit_id, "
            "b.visit_day) WHERE v.who NOT LIKE 'Visitor %' AND b.holder NOT LIKE 'Holder %'"
        ).fetchone()
    assert joined == (400,)
    assert verify_report(dsn, [rules], seed="parts").findings == []


LEAK_SCHEMA = """
CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL);
INSERT INTO people SELECT i, format('Name%s', i), format('p%s@home.example', i)
  FROM generate_series(1, 200) i;
CREATE TABLE jottings (body text);
INSERT INTO jottings SELECT format('note number %s', i) FROM generate_series(1, 50) i;
CREATE TABLE visits (visitor int, day date, city text);
INSERT INTO visits SELECT i, date '2024-01-01' + i % 40, (ARRAY['Berlin', 'Hamburg'])[1 + i % 2]
  FROM generate_series(1, 300) i;
"""

LEAK_RULES = """version: 1
tables:
  public.people:
    columns: {id: keep, name: first_name, email: email}
  public.jottings:
    columns: {body: lorem}
  public.visits:
    columns: {visitor: keep, day: {strategy: date_shift, max_days: 10}, city: city}
"""


def test_verify_counts_original_values_put_back_after_masking(make_db, tmp_path: Path) -> None:
    """Survivors are counted per column: by row key where the table has one (one pass
    for all its columns), by the columns kept as they are where it has no primary key
    (visits: 40 dense days shifted by up to 10 land on other rows' originals, which a
    by-value check counted as leaks), by value where every column is masked."""
    dsn, rules = db_with_rules(make_db, tmp_path, LEAK_SCHEMA, LEAK_RULES, "leaks.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="leaks", progress=False)
    clean = verify_report(dsn, [rules], seed="leaks")
    assert clean.findings == [] and clean.total_leaks == 0
    assert clean.sampled == {
        "public.people.name": 200,
        "public.people.email": 200,
        "public.jottings.body": 50,
        "public.visits.day": 300,
        "public.visits.city": 300,
    }
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE people SET email = format('p%s@home.example', id) WHERE id IN (3, 7)")
        conn.execute("UPDATE jottings SET body = 'note number 9' WHERE ctid = '(0,1)'")
        conn.execute(
            "UPDATE visits SET day = date '2024-01-01' + visitor % 40 WHERE visitor IN (4, 5, 6)"
        )
    report = verify_report(dsn, [rules], seed="leaks")
    assert report.leaks == {
        "public.people.name": 0,
        "public.people.email": 2,
        "public.jottings.body": 1,
        "public.visits.day": 3,
        "public.visits.city": 0,
    }
    assert sorted((f.code, f.location.key) for f in report.findings) == [
        ("leak", "public.jottings.body"),
        ("leak", "public.people.email"),
        ("leak", "public.visits.day"),
    ]


def test_foreign_tables_are_never_written_and_named(make_db, tmp_path: Path) -> None:
    """A foreign table's rows live on another server, often production. A rule masking
    one, or a partitioned table with a foreign partition, is refused (exit 2) before
    anything runs: masking would write to that server, or leave its rows readable from
    staging. A `keep` rule is harmless. Without the server, masking goes ahead."""
    remote = make_db(prefix="remote")
    with psycopg.connect(remote, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE customers_eu (id int PRIMARY KEY, email text, region text);"
            "INSERT INTO customers_eu SELECT g, 'eu' || g || '@shop.example', 'eu'"
            " FROM generate_series(1000, 1050) g"
        )
    where = conninfo.conninfo_to_dict(remote)
    schema = (
        "CREATE EXTENSION postgres_fdw;"
        f"CREATE SERVER prod FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '{where['host']}',"
        f" port '{where['port']}', dbname '{where['dbname']}');"
        "CREATE USER MAPPING FOR CURRENT_USER SERVER prod;"
        "CREATE TABLE customers (id int, email text, region text) PARTITION BY LIST (region);"
        "CREATE TABLE customers_us PARTITION OF customers FOR VALUES IN ('us');"
        "CREATE FOREIGN TABLE customers_eu PARTITION OF customers FOR VALUES IN ('eu')"
        " SERVER prod;"
        "CREATE FOREIGN TABLE notes (id int, email text) SERVER prod"
        " OPTIONS (table_name 'customers_eu');"
        "INSERT INTO customers_us SELECT g, 'us' || g || '@shop.example', 'us'"
        " FROM generate_series(1, 50) g"
    )
    rules_text = (
        "version: 1\ntables:\n  public.customers:\n    columns:\n"
        "      id: keep\n      email: email\n      region: keep\n"
        "  public.notes:\n    columns:\n      id: keep\n      email: email\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "fdw.yaml")
    mark_clone(dsn)
    before, remote_before = fingerprint(dsn), fingerprint(remote)
    with pytest.raises(RulesError) as refused:
        anonymize(dsn, [rules], seed="s", progress=False)
    found = {(f.code, f.location.key) for f in refused.value.findings}
    assert found == {
        ("foreign-partition", "public.customers"),
        ("foreign-table", "public.notes"),
    }
    assert "server prod" in str(refused.value) and "drop_foreign_servers" in str(refused.value)
    assert fingerprint(dsn) == before and fingerprint(remote) == remote_before
    notes_kept = rules_text.split("  public.notes:")[0] + "  public.notes: keep\n"
    rules.write_text(notes_kept)
    with pytest.raises(RulesError) as still:
        anonymize(dsn, [rules], seed="s", progress=False)
    assert [f.code for f in still.value.findings] == ["foreign-partition"]
    # rules init proposes what makes such a table maskable by a refresh: drop the server
    with psycopg.connect(dsn) as conn:
        generated = generate_rules(conn, database="fdw")
    assert "isolate: {drop_foreign_servers: [prod]}" in generated
    # Told to drop the server, the rules compile (a warning); anonymize alone still
    # refuses while the server is there, and verify names the unmasked partition.
    isolated = "version: 1\nisolate: {drop_foreign_servers: [prod]}\n" + rules_text.split(
        "  public.notes:"
    )[0].removeprefix("version: 1\n")
    rules.write_text(isolated)
    with psycopg.connect(dsn) as conn:
        [warning] = check_rules(load_rules([rules]), read_catalog(conn))
    assert (warning.code, warning.severity.value) == ("foreign-partition", "warning")
    with pytest.raises(MaskingRefused, match=r"public\.customers_eu \(server prod\)"):
        anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(dsn) == before
    assert {f.code for f in verify_report(dsn, [rules], seed="s").findings} >= {"foreign-partition"}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SERVER prod CASCADE")  # what isolation does, with its tables
    anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(remote) == remote_before
    with psycopg.connect(dsn) as conn:
        left = conn.execute("SELECT count(*) FROM customers WHERE email LIKE '%@shop.example'")
        assert left.fetchone() == (0,)


def test_infinite_dates_and_nan_are_no_leaks(make_db, tmp_path: Path) -> None:
    """Strategies keep 'infinity' and NaN (they name no one); verify counted each as a
    surviving original, so a valid_until column full of 'infinity' failed every refresh."""
    schema = (
        "CREATE TABLE contracts (id int PRIMARY KEY, valid_until timestamptz, fee numeric);"
        "INSERT INTO contracts SELECT g, CASE WHEN g % 2 = 0 THEN 'infinity'"
        " ELSE timestamptz '2030-01-01' + g * interval '1 day' END,"
        " CASE WHEN g % 3 = 0 THEN 'NaN' ELSE g * 1.5 END FROM generate_series(1, 60) g"
    )
    rules_text = (
        "version: 1\ntables:\n  public.contracts:\n    columns:\n      id: keep\n"
        "      valid_until: {strategy: date_shift, max_days: 30}\n"
        "      fee: {strategy: noise, relative: 0.2}\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "contracts.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    assert report.sampled == {"public.contracts.valid_until": 30, "public.contracts.fee": 40}
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FILTER (WHERE valid_until = 'infinity'),"
            " count(*) FILTER (WHERE fee = 'NaN') FROM contracts"
        ).fetchone()
        assert kept == (30, 20)
        conn.execute("UPDATE contracts SET fee = 1.5 WHERE id = 1")  # a finite original back
    assert verify_report(dsn, [rules], seed="s").leaks["public.contracts.fee"] == 1


def test_blank_and_digitless_values_are_no_leaks(make_db, tmp_path: Path) -> None:
    """'' in a phone column, or 'n/a', is kept by the digit strategies (there is no digit
    to replace) and names no one, and so is an empty array, or a row already holding a
    `constant` rule's value: verify counted each as a surviving original, so a database
    with empty phones failed every refresh. An IP column of text holding '' and
    'unknown' failed masking itself (a cast to inet)."""
    schema = (
        "CREATE TABLE contacts (id int PRIMARY KEY, phone text, iban text, ip text,"
        " emails text[], secret text);"
        "INSERT INTO contacts SELECT g,"
        " CASE g % 3 WHEN 0 THEN '' WHEN 1 THEN 'n/a' ELSE '+41 79 555 ' || g END,"
        " CASE WHEN g % 2 = 0 THEN '' ELSE 'CH93 0076 2011 6238 ' || lpad(g::text, 4, '0') END,"
        " CASE g % 3 WHEN 0 THEN '' WHEN 1 THEN 'unknown' ELSE '192.0.2.' || g END,"
        " CASE g % 4 WHEN 0 THEN '{}' WHEN 1 THEN ARRAY['', NULL]"
        " ELSE ARRAY['c' || g || '@shop.example'] END,"
        " CASE WHEN g % 2 = 0 THEN 'redacted' ELSE md5(g::text) END"
        " FROM generate_series(1, 60) g"
    )
    rules_text = (
        "version: 1\ntables:\n  public.contacts:\n    columns:\n      id: keep\n"
        "      phone: {strategy: phone, keep_prefix: 3}\n"
        "      iban: {strategy: partial, keep_last: 4}\n      ip: ip\n      emails: email\n"
        "      secret: {strategy: constant, value: redacted}\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "contacts.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    assert report.sampled == {
        "public.contacts.phone": 20,  # neither '' nor 'n/a'
        "public.contacts.iban": 30,
        "public.contacts.ip": 40,  # 'unknown' is masked like an address
        "public.contacts.emails": 30,  # neither {} nor {'', NULL}
        "public.contacts.secret": 30,  # not those already holding the constant
    }
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE phone = 'n/a'), count(*) FILTER (WHERE ip = ''),"
            " count(*) FILTER (WHERE ip = 'unknown' OR ip LIKE '192.0.2.%') FROM contacts"
        ).fetchone()
        assert row == (20, 20, 0)
        conn.execute("UPDATE contacts SET phone = '+41 79 555 2' WHERE id = 2")
    assert verify_report(dsn, [rules], seed="s").leaks["public.contacts.phone"] == 1


def test_columns_of_a_unique_expression_index_are_unique(make_db, tmp_path: Path) -> None:
    """unique (lower(email)) made no column unique: a lossy email rule compiled, and a
    collision would fail the index rebuild after every chunk. The columns a key
    expression reads count as unique; those of a partial index's WHERE do not."""
    schema = (
        "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, deleted_at date);"
        "CREATE UNIQUE INDEX users_email_lower ON users (lower(email)) WHERE deleted_at IS NULL;"
        "INSERT INTO users SELECT g, 'User' || g || '@corp.example', NULL"
        " FROM generate_series(1, 50) g"
    )
    rules_text = (
        "version: 1\ntables:\n  public.users:\n    columns:\n      id: keep\n"
        "      email: email\n      deleted_at: {strategy: date_shift, max_days: 10}\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "users.yaml")
    with psycopg.connect(dsn) as conn:
        users = read_catalog(conn).tables["public.users"]
    assert [(k.name, k.columns) for k in users.unique_keys if not k.primary] == [
        ("users_email_lower", ("email",))
    ]
    [finding] = refused_findings(dsn, rules)
    assert finding.location.key == "public.users.email" and "unique: true" in finding.message
    rules.write_text(rules_text.replace("email: email", "email: {strategy: email, unique: true}"))
    anonymize(dsn, [rules], seed="s", progress=False)
    assert verify_report(dsn, [rules], seed="s").findings == []


def test_a_lossy_rule_under_an_exclusion_constraint_is_refused_first(
    make_db, tmp_path: Path
) -> None:
    """Shifting the days of bookings under EXCLUDE (room WITH =, day WITH =) made two
    bookings meet; the swap failed after every chunk. The compiler says so first."""
    schema = (
        "CREATE EXTENSION btree_gist;"
        "CREATE TABLE bookings (id int PRIMARY KEY, room int NOT NULL, guest text,"
        " day date NOT NULL, EXCLUDE USING gist (room WITH =, day WITH =));"
        "INSERT INTO bookings SELECT g, g % 3, 'Guest ' || g, date '2024-01-01' + g / 3"
        " FROM generate_series(1, 300) g"
    )
    rules_text = (
        "version: 1\ntables:\n  public.bookings:\n    columns:\n      id: keep\n"
        "      room: keep\n      guest: full_name\n"
        "      day: {strategy: date_shift, max_days: 5}\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "bookings.yaml")
    [finding] = refused_findings(dsn, rules)
    assert (finding.code, finding.location.key) == ("lossy-on-exclusion", "public.bookings.day")
    assert "bookings_room_day_excl" in finding.message
    rules.write_text(rules_text.replace("{strategy: date_shift, max_days: 5}", "keep"))
    anonymize(dsn, [rules], seed="s", progress=False)
    assert verify_report(dsn, [rules], seed="s").findings == []


def test_json_paths_that_do_not_parse_or_are_absent(make_db, tmp_path: Path) -> None:
    """A dob path read `as: date` holding 'n/a' failed the whole table on a cast; it
    becomes JSON null now. Documents holding none of the paths are kept, and verify
    counted each as a surviving original."""
    schema = (
        "CREATE TABLE profiles (id int PRIMARY KEY, data jsonb);"
        "INSERT INTO profiles VALUES"
        ' (1, \'{"email": "a@shop.example", "dob": "1980-02-03"}\'),'
        ' (2, \'{"dob": "n/a", "visits": 3}\'), (3, \'{"dob": "2023-02-30"}\'),'
        " (4, '{\"other\": 1}'), (5, '[1, 2]'), (6, '\"text\"'), (7, NULL)"
    )
    rules_text = (
        "version: 1\ntables:\n  public.profiles:\n    columns:\n      id: keep\n"
        "      data:\n        strategy: jsonb\n        paths:\n          email: email\n"
        "          dob: {strategy: date_shift, max_days: 30, as: date}\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "profiles.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == [] and report.sampled == {
        "public.profiles.data": 3,
        "public.profiles.data:email": 1,  # each path where documents hold it
        "public.profiles.data:dob": 2,  # ('n/a' becomes JSON null: it changes)
        "public.profiles.data:**": 1,  # the address, wherever it is
    }
    with psycopg.connect(dsn) as conn:
        data = dict(conn.execute("SELECT id, data FROM profiles").fetchall())
    assert data[2] == {"dob": None, "visits": 3}
    assert data[3]["dob"].startswith("2023-0") and data[3]["dob"] != "2023-02-30"
    assert data[1]["email"] != "a@shop.example" and data[1]["dob"] != "1980-02-03"
    assert (data[4], data[5], data[6], data[7]) == ({"other": 1}, [1, 2], "text", None)


def test_masking_a_partition_key_is_refused_first(make_db, tmp_path: Path) -> None:
    """A masked city in LIST (city) belongs in another partition: the swap failed after
    every chunk ('violates partition constraint'). The compiler refuses it first, for
    a key column and for one a key expression reads; rules init keeps such columns."""
    schema = (
        "CREATE TABLE visits (id int, city text, at timestamptz) PARTITION BY LIST (city);"
        "CREATE TABLE visits_north PARTITION OF visits FOR VALUES IN ('Hamburg', 'Kiel');"
        "CREATE TABLE visits_rest PARTITION OF visits DEFAULT;"
        "CREATE TABLE logins (id int, at timestamptz, who text)"
        " PARTITION BY RANGE (date_trunc('month', at AT TIME ZONE 'UTC'));"
        "CREATE TABLE logins_all PARTITION OF logins FOR VALUES FROM (MINVALUE) TO (MAXVALUE);"
        "INSERT INTO visits SELECT g, (ARRAY['Hamburg', 'Kiel', 'Köln'])[1 + g % 3], now()"
        " FROM generate_series(1, 90) g;"
        "INSERT INTO logins SELECT g, now() - g * interval '1 day', 'user' || g"
        " FROM generate_series(1, 90) g"
    )
    rules_text = (
        "version: 1\ntables:\n  public.visits:\n    columns:\n      id: keep\n"
        "      city: city\n      at: keep\n  public.logins:\n    columns:\n      id: keep\n"
        "      at: {strategy: date_shift, max_days: 5}\n      who: hash\n"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, rules_text, "parts.yaml")
    assert {(f.code, f.location.key) for f in refused_findings(dsn, rules)} == {
        ("partition-key", "public.visits.city"),
        ("partition-key", "public.logins.at"),
    }
    with psycopg.connect(dsn) as conn:
        generated = generate_rules(conn, database="parts")
    assert "city: keep  # name suggests a city; REVIEW: it is the partition key" in generated


def test_a_schema_with_a_dot_in_its_name_is_refused_before_anything_runs(
    make_db, tmp_path: Path
) -> None:
    """Tables are named schema.table: x.y.a.b compiled (the catalog's key matched) and
    then failed midway, 'schema "x" does not exist', exit 3 and "re-run to finish"."""
    dsn, rules = db_with_rules(
        make_db,
        tmp_path,
        'CREATE SCHEMA "x.y"; CREATE TABLE "x.y".a (id int PRIMARY KEY, email text);'
        "INSERT INTO \"x.y\".a SELECT i, 'p' || i || '@x.org' FROM generate_series(1, 9) i;",
        "version: 1\ntables:\n  x.y.a:\n    columns: {id: keep, email: email}\n",
        "dotted.yaml",
    )
    findings = refused_findings(dsn, rules)
    assert [(f.code, f.location.key) for f in findings] == [("ambiguous-schema", "x.y")]
    assert "ALTER SCHEMA" in (findings[0].hint or "")
    with psycopg.connect(dsn) as conn, pytest.raises(RulesError, match="has a dot in its name"):
        generate_rules(conn)
